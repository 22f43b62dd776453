/*
 * Reading Prometheus' answers to instant queries (`/api/v1/query`) and
 * turning the lag query's samples, with their sample times, into one lag
 * reading. A sample older than the freshness bound is an unknown lag, never
 * a stale number. Range queries (`/api/v1/query_range`) give the lag's
 * history: one point per step, the highest lag of the series at that step.
 */
import { ExternalLagReading } from '@multicluster/backstage-plugin-statefulsets-common';

/** One sample of an instant query's answer. */
export interface InstantSample {
  labels: Record<string, string>;
  value: number;
}

/** An answer Prometheus gave but that carries no usable result. */
export class PrometheusAnswerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PrometheusAnswerError';
  }
}

/** Prometheus writes special floats as strings of its own. */
function parseSampleValue(raw: unknown): number {
  if (raw === '+Inf') return Infinity;
  if (raw === '-Inf') return -Infinity;
  if (typeof raw !== 'string' || raw.trim() === '') return NaN;
  return Number(raw);
}

function parsePair(pair: unknown): number {
  if (!Array.isArray(pair) || pair.length !== 2) {
    throw new PrometheusAnswerError('a sample is not a [time, value] pair');
  }
  return parseSampleValue(pair[1]);
}

/** The `data` of a successful answer; throws on an error answer or none. */
function answerData(body: unknown): { resultType?: unknown; result?: unknown } {
  const answer = body as {
    status?: unknown;
    errorType?: unknown;
    error?: unknown;
    data?: { resultType?: unknown; result?: unknown };
  } | null;
  if (!answer || typeof answer !== 'object') {
    throw new PrometheusAnswerError('the answer is not a JSON object');
  }
  if (answer.status === 'error') {
    throw new PrometheusAnswerError(
      `${String(answer.errorType ?? 'error')}: ${String(
        answer.error ?? 'no message',
      )}`,
    );
  }
  if (answer.status !== 'success' || !answer.data) {
    throw new PrometheusAnswerError('the answer has no data');
  }
  return answer.data;
}

/**
 * The samples of an instant query's JSON answer. Throws on an error answer
 * (with Prometheus' errorType and message) or an unexpected shape; a scalar
 * answer counts as one sample without labels.
 */
export function parseInstantQuery(body: unknown): InstantSample[] {
  const { resultType, result } = answerData(body);
  if (resultType === 'scalar') {
    return [{ labels: {}, value: parsePair(result) }];
  }
  if (resultType !== 'vector' || !Array.isArray(result)) {
    throw new PrometheusAnswerError(
      `expected an instant vector, got ${String(resultType)}`,
    );
  }
  return result.map((item: { metric?: unknown; value?: unknown }) => {
    const labels: Record<string, string> = {};
    if (item?.metric && typeof item.metric === 'object') {
      for (const [k, v] of Object.entries(item.metric)) labels[k] = String(v);
    }
    return { labels, value: parsePair(item?.value) };
  });
}

/** Inputs of `lagFromSamples`. */
export interface LagFromSamplesOptions {
  /** Milliseconds since the epoch: the queries' evaluation time. */
  now: number;
  /** Samples older than this many seconds make the lag unknown. */
  maxAgeSeconds: number;
}

/**
 * One lag reading from the samples of the lag query and of `timestamp()`
 * over it, both evaluated at `now`. Several series (one per pod, say) count
 * as their highest lag, measured when the oldest of them was.
 */
export function lagFromSamples(
  values: InstantSample[],
  timestamps: InstantSample[],
  options: LagFromSamplesOptions,
): ExternalLagReading {
  if (values.length === 0) {
    return { seconds: null, reason: 'lag not in Prometheus (no series)' };
  }
  if (values.some(s => !Number.isFinite(s.value))) {
    return { seconds: null, reason: 'lag in Prometheus is not a number' };
  }
  const times = timestamps.map(s => s.value);
  if (times.length === 0 || times.some(t => !Number.isFinite(t))) {
    return { seconds: null, reason: 'lag in Prometheus has no sample time' };
  }
  const observedMs = Math.min(...times) * 1000;
  const observedAt = new Date(observedMs).toISOString();
  const ageSeconds = (options.now - observedMs) / 1000;
  if (ageSeconds > options.maxAgeSeconds) {
    return {
      seconds: null,
      observedAt,
      reason: `lag last observed ${Math.round(ageSeconds)}s ago`,
    };
  }
  // A lag computed against a skewed clock may dip below zero: nothing is behind.
  const seconds = Math.max(0, ...values.map(s => s.value));
  return { seconds, observedAt };
}

function seriesKey(labels: Record<string, string>): string {
  const { __name__: _name, ...rest } = labels;
  return JSON.stringify(
    Object.entries(rest).sort(([a], [b]) => a.localeCompare(b)),
  );
}

/**
 * The samples of a query that were scraped within the freshness bound, given
 * the samples of `timestamp()` over the same query (matched by labels, the
 * metric name aside); a series without a finite value or time is left out.
 */
export function freshSamples(
  values: InstantSample[],
  timestamps: InstantSample[],
  options: LagFromSamplesOptions,
): InstantSample[] {
  const times = new Map(timestamps.map(t => [seriesKey(t.labels), t.value]));
  return values.filter(s => {
    const at = times.get(seriesKey(s.labels));
    return (
      Number.isFinite(s.value) &&
      at !== undefined &&
      Number.isFinite(at) &&
      (options.now - at * 1000) / 1000 <= options.maxAgeSeconds
    );
  });
}

/** One point of a lag history: milliseconds since the epoch, seconds behind. */
export interface RangePoint {
  t: number;
  lagSeconds: number;
}

/**
 * The lag history in a range query's JSON answer (a matrix): per step the
 * highest lag of the series that have a finite value there (one series per
 * pod, say), oldest first. Throws on an error answer or another shape.
 */
export function parseRangeQuery(body: unknown): RangePoint[] {
  const { resultType, result } = answerData(body);
  if (resultType !== 'matrix' || !Array.isArray(result)) {
    throw new PrometheusAnswerError(
      `expected a range vector, got ${String(resultType)}`,
    );
  }
  const highest = new Map<number, number>();
  for (const series of result as Array<{ values?: unknown }>) {
    if (!Array.isArray(series?.values)) {
      throw new PrometheusAnswerError('a series of the answer has no values');
    }
    for (const pair of series.values) {
      const value = parsePair(pair);
      const t = Math.round(Number((pair as unknown[])[0]) * 1000);
      if (!Number.isFinite(value) || !Number.isFinite(t)) continue;
      // A lag computed against a skewed clock may dip below zero.
      const lag = Math.max(0, value);
      highest.set(t, Math.max(lag, highest.get(t) ?? 0));
    }
  }
  return [...highest]
    .sort((a, b) => a[0] - b[0])
    .map(([t, lagSeconds]) => ({ t, lagSeconds }));
}
