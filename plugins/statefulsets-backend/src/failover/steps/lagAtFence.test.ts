import { dataLossWindowSeconds, lagAtFenceTime } from './lagAtFence';

const now = Date.parse('2026-12-04T10:00:10Z');

describe('dataLossWindowSeconds', () => {
  it('adds the age of the reading to the lag', () => {
    expect(
      dataLossWindowSeconds(
        { seconds: 1.5, observedAt: '2026-12-04T10:00:07.250Z' },
        now,
      ),
    ).toBe(4.25);
  });

  it('is the lag itself for a reading taken at fence time or without a time', () => {
    expect(
      dataLossWindowSeconds(
        { seconds: 0.8, observedAt: '2026-12-04T10:00:10Z' },
        now,
      ),
    ).toBe(0.8);
    expect(dataLossWindowSeconds({ seconds: 2 }, now)).toBe(2);
  });

  it('never shrinks the lag for a reading stamped after fence time', () => {
    expect(
      dataLossWindowSeconds(
        { seconds: 1, observedAt: '2026-12-04T10:00:11Z' },
        now,
      ),
    ).toBe(1);
  });

  it('is unknown when the lag is', () => {
    expect(
      dataLossWindowSeconds(
        { seconds: null, observedAt: '2026-12-04T10:00:07Z' },
        now,
      ),
    ).toBeNull();
  });
});

describe('lagAtFenceTime', () => {
  it('journals the lag under the step’s own name with its time and window', () => {
    expect(
      lagAtFenceTime(
        'lagAtFence',
        { seconds: 1, observedAt: '2026-12-04T10:00:08Z' },
        now,
      ),
    ).toEqual({
      lagAtFence: 1,
      lagObservedAt: '2026-12-04T10:00:08Z',
      dataLossWindowSeconds: 3,
    });
  });
});
