import { nextLag } from './lagModel';

const flowing = { cut: false, quiesced: false };

describe('the replication lag model', () => {
  it('jitters within the configured bounds while replication flows', () => {
    let state = nextLag(undefined, 0, flowing, {}, () => 0.5);
    for (let t = 1000; t < 20000; t += 1000) {
      state = nextLag(
        state,
        t,
        flowing,
        { minLagSeconds: 0.2, maxLagSeconds: 1.5 },
        Math.random,
      );
      expect(state.lag).toBeGreaterThanOrEqual(0.2);
      expect(state.lag).toBeLessThanOrEqual(1.5);
    }
  });

  it('grows while the source is cut off and catches up afterwards', () => {
    let s = nextLag(
      undefined,
      0,
      flowing,
      { fixedLagSeconds: 0.5 },
      Math.random,
    );
    s = nextLag(s, 10_000, { cut: true, quiesced: false }, {}, Math.random);
    expect(s.lag).toBeCloseTo(10.5, 5);
    s = nextLag(
      s,
      11_000,
      flowing,
      { fixedLagSeconds: 0.5, catchUpSecondsPerSecond: 4 },
      Math.random,
    );
    expect(s.lag).toBeCloseTo(6.5, 5);
    s = nextLag(s, 20_000, flowing, { fixedLagSeconds: 0.5 }, Math.random);
    expect(s.lag).toBe(0.5);
  });

  it('drains to zero once the source is fenced', () => {
    let s = { lag: 3, at: 0 };
    s = nextLag(
      s,
      1000,
      { cut: false, quiesced: true },
      { catchUpSecondsPerSecond: 2 },
      Math.random,
    );
    expect(s.lag).toBe(1);
    s = nextLag(
      s,
      2000,
      { cut: false, quiesced: true },
      { catchUpSecondsPerSecond: 2 },
      Math.random,
    );
    expect(s.lag).toBe(0);
  });
});
