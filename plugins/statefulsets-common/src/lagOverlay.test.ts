import { isLagReason, overlayLag } from './lagOverlay';
import { judgeLag } from './replication';
import { ReplicationLink } from './types';

const link: ReplicationLink = {
  from: 'eu-central',
  to: 'eu-west',
  workload: 'orders-db',
  lagSeconds: null,
  healthy: false,
  reason: 'lag not reported',
  provider: 'generic',
};
const options = { lagSource: 'prometheus', maxLagSeconds: 5 };

describe('overlayLag', () => {
  it('takes lag, time and health from the reading and keeps the roles', () => {
    expect(
      overlayLag(
        { ...link, lagBytes: 2048 },
        { seconds: 1.5, observedAt: '2026-11-27T12:00:00.000Z' },
        options,
      ),
    ).toEqual({
      from: 'eu-central',
      to: 'eu-west',
      workload: 'orders-db',
      provider: 'generic',
      lagSource: 'prometheus',
      lagSeconds: 1.5,
      observedAt: '2026-11-27T12:00:00.000Z',
      healthy: true,
    });
  });

  it('judges a lag over the bound unhealthy', () => {
    const out = overlayLag(link, { seconds: 9, observedAt: 'x' }, options);
    expect(out).toMatchObject({
      lagSeconds: 9,
      healthy: false,
      reason: 'lag 9s over the 5s bound',
    });
  });

  it('replaces a healthy provider lag with an unknown reading, never a stale number', () => {
    const out = overlayLag(
      { ...link, lagSeconds: 0.4, healthy: true, reason: undefined },
      { seconds: null, reason: 'lag unknown: Prometheus did not answer' },
      options,
    );
    expect(out).toMatchObject({
      lagSeconds: null,
      healthy: false,
      reason: 'lag unknown: Prometheus did not answer',
      lagSource: 'prometheus',
    });
    expect(overlayLag(link, { seconds: Number.NaN }, options).reason).toBe(
      'lag not reported',
    );
  });

  it('keeps a problem of the link that is not about lag', () => {
    const out = overlayLag(
      { ...link, reason: 'cluster phase Setting up primary' },
      { seconds: 0.2, observedAt: 'x' },
      options,
    );
    expect(out).toMatchObject({
      lagSeconds: 0.2,
      healthy: false,
      reason: 'cluster phase Setting up primary',
    });
  });
});

describe('isLagReason', () => {
  it('recognises every reason judgeLag gives', () => {
    const now = Date.parse('2026-11-27T12:00:00Z');
    const reasons = [
      judgeLag(undefined, undefined, { now, maxLagSeconds: 5 }).reason,
      judgeLag('1', undefined, { now, maxLagSeconds: 5 }).reason,
      judgeLag('1', '2026-11-27T11:00:00Z', { now, maxLagSeconds: 5 }).reason,
      judgeLag('9', '2026-11-27T12:00:00Z', { now, maxLagSeconds: 5 }).reason,
    ];
    expect(reasons.every(r => r !== undefined && isLagReason(r))).toBe(true);
    expect(isLagReason('cluster phase Failing over')).toBe(false);
  });
});
