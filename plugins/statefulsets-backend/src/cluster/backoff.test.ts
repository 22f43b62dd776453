import { backoffDelay } from './backoff';

describe('backoffDelay', () => {
  const options = { initialMs: 100, maxMs: 1000 };

  it('grows exponentially up to the maximum', () => {
    const top = (attempt: number) => backoffDelay(attempt, options, () => 1);
    expect([0, 1, 2, 3, 4, 10].map(top)).toEqual([
      100, 200, 400, 800, 1000, 1000,
    ]);
  });

  it('jitters within the upper half of the window', () => {
    expect(backoffDelay(2, options, () => 0)).toBe(200);
    const d = backoffDelay(2, options);
    expect(d).toBeGreaterThanOrEqual(200);
    expect(d).toBeLessThanOrEqual(400);
  });
});
