import {
  freshSamples,
  InstantSample,
  lagFromSamples,
  parseInstantQuery,
  parseRangeQuery,
} from './prometheusResponse';

const now = Date.parse('2026-11-27T12:00:00Z');
const at = (secondsAgo: number) => (now - secondsAgo * 1000) / 1000;

function vector(...values: Array<[number, string]>) {
  return {
    status: 'success',
    data: {
      resultType: 'vector',
      result: values.map(([t, v], i) => ({
        metric: { __name__: 'm', pod: `db-${i}` },
        value: [t, v],
      })),
    },
  };
}

const sample = (value: number): InstantSample => ({ labels: {}, value });

describe('parseInstantQuery', () => {
  it('reads a vector, special floats included', () => {
    expect(
      parseInstantQuery(
        vector([at(0), '1.5'], [at(0), '+Inf'], [at(0), 'NaN']),
      ),
    ).toEqual([
      { labels: { __name__: 'm', pod: 'db-0' }, value: 1.5 },
      { labels: { __name__: 'm', pod: 'db-1' }, value: Infinity },
      { labels: { __name__: 'm', pod: 'db-2' }, value: NaN },
    ]);
  });

  it('reads a scalar as one sample', () => {
    expect(
      parseInstantQuery({
        status: 'success',
        data: { resultType: 'scalar', result: [at(0), '2'] },
      }),
    ).toEqual([{ labels: {}, value: 2 }]);
  });

  it("throws Prometheus' own error", () => {
    expect(() =>
      parseInstantQuery({
        status: 'error',
        errorType: 'bad_data',
        error: '1:10: parse error: unexpected "}"',
      }),
    ).toThrow('bad_data: 1:10: parse error: unexpected "}"');
  });

  it('throws on shapes it cannot read', () => {
    expect(() => parseInstantQuery('<html>')).toThrow(/not a JSON object/);
    expect(() => parseInstantQuery({ status: 'success' })).toThrow(/no data/);
    expect(() =>
      parseInstantQuery({
        status: 'success',
        data: { resultType: 'matrix', result: [] },
      }),
    ).toThrow('expected an instant vector, got matrix');
    expect(() =>
      parseInstantQuery({
        status: 'success',
        data: { resultType: 'vector', result: [{ metric: {}, value: 3 }] },
      }),
    ).toThrow(/not a \[time, value\] pair/);
  });
});

describe('lagFromSamples', () => {
  const options = { now, maxAgeSeconds: 30 };

  it('gives the lag with the time it was scraped', () => {
    expect(lagFromSamples([sample(1.25)], [sample(at(3))], options)).toEqual({
      seconds: 1.25,
      observedAt: '2026-11-27T11:59:57.000Z',
    });
  });

  it('counts several series as the highest lag, measured when the oldest was', () => {
    expect(
      lagFromSamples(
        [sample(0.5), sample(2), sample(1)],
        [sample(at(1)), sample(at(4)), sample(at(2))],
        options,
      ),
    ).toEqual({ seconds: 2, observedAt: '2026-11-27T11:59:56.000Z' });
  });

  it('reports a sample older than the bound as unknown, never the stale number', () => {
    expect(lagFromSamples([sample(1)], [sample(at(45))], options)).toEqual({
      seconds: null,
      observedAt: '2026-11-27T11:59:15.000Z',
      reason: 'lag last observed 45s ago',
    });
  });

  it('reports no series, a non-number or a missing time as unknown', () => {
    expect(lagFromSamples([], [], options)).toEqual({
      seconds: null,
      reason: 'lag not in Prometheus (no series)',
    });
    expect(
      lagFromSamples([sample(NaN)], [sample(at(0))], options).seconds,
    ).toBeNull();
    expect(lagFromSamples([sample(1)], [], options)).toEqual({
      seconds: null,
      reason: 'lag in Prometheus has no sample time',
    });
  });

  it('reads a lag below zero (a skewed clock) as caught up', () => {
    expect(
      lagFromSamples([sample(-0.2)], [sample(at(0))], options).seconds,
    ).toBe(0);
  });
});

describe('parseRangeQuery', () => {
  it('gives the highest lag of the series at each step, oldest first', () => {
    expect(
      parseRangeQuery({
        status: 'success',
        data: {
          resultType: 'matrix',
          result: [
            {
              metric: { pod: 'orders-db-1' },
              values: [
                [1000, '0.5'],
                [1015, '4'],
                [1030, 'NaN'],
              ],
            },
            {
              metric: { pod: 'orders-db-2' },
              values: [
                [1015, '1'],
                [1030, '2'],
                [1045, '-0.2'],
              ],
            },
          ],
        },
      }),
    ).toEqual([
      { t: 1_000_000, lagSeconds: 0.5 },
      { t: 1_015_000, lagSeconds: 4 },
      { t: 1_030_000, lagSeconds: 2 },
      { t: 1_045_000, lagSeconds: 0 },
    ]);
  });

  it('gives no points for no series', () => {
    expect(
      parseRangeQuery({
        status: 'success',
        data: { resultType: 'matrix', result: [] },
      }),
    ).toEqual([]);
  });

  it("throws Prometheus' own error and shapes it cannot read", () => {
    expect(() =>
      parseRangeQuery({
        status: 'error',
        errorType: 'bad_data',
        error: 'exceeded maximum resolution of 11,000 points per timeseries',
      }),
    ).toThrow('bad_data: exceeded maximum resolution');
    expect(() =>
      parseRangeQuery({
        status: 'success',
        data: { resultType: 'vector', result: [] },
      }),
    ).toThrow('expected a range vector, got vector');
    expect(() =>
      parseRangeQuery({
        status: 'success',
        data: { resultType: 'matrix', result: [{ metric: {} }] },
      }),
    ).toThrow('a series of the answer has no values');
  });
});

describe('freshSamples', () => {
  const pod = (name: string, value: number, metric = 'm'): InstantSample => ({
    labels: { __name__: metric, pod: name },
    value,
  });

  it('keeps the series scraped within the bound, matched to their times by labels', () => {
    expect(
      freshSamples(
        [pod('db-0', 0), pod('db-1', 1), pod('db-2', 1), pod('db-3', NaN)],
        [
          { labels: { pod: 'db-1' }, value: at(31) },
          { labels: { pod: 'db-0' }, value: at(2) },
          { labels: { pod: 'db-3' }, value: at(2) },
        ],
        { now, maxAgeSeconds: 30 },
      ),
    ).toEqual([pod('db-0', 0)]);
  });
});
