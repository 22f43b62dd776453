import { statefulSet } from './__fixtures__/objects';
import { ANNOTATION_REPLICATION_ERROR } from './annotations';
import { replicationFromAnnotations, replicationFromCnpg } from './replication';

const now = Date.parse('2026-11-27T12:00:00Z');
const secondsAgo = (s: number) => new Date(now - s * 1000).toISOString();

describe('replicationFromAnnotations', () => {
  it('links a passive side to its source with a fresh lag', () => {
    const links = replicationFromAnnotations(
      {
        'eu-central': [statefulSet({ cluster: 'eu-central', role: 'active' })],
        'eu-west': [
          statefulSet({
            cluster: 'eu-west',
            role: 'passive',
            source: 'eu-central',
            lag: '1.5',
            observedAt: secondsAgo(3),
          }),
        ],
      },
      { now, maxLagSeconds: 5 },
    );
    expect(links).toEqual([
      expect.objectContaining({
        from: 'eu-central',
        to: 'eu-west',
        workload: 'orders-db',
        lagSeconds: 1.5,
        healthy: true,
        provider: 'generic',
      }),
    ]);
  });

  it('shows a link its exporter reports broken as unhealthy, with the reason', () => {
    const sts = statefulSet({
      cluster: 'eu-west',
      role: 'passive',
      source: 'eu-central',
    });
    sts.metadata.annotations![ANNOTATION_REPLICATION_ERROR] =
      'IO thread not running: error connecting to source of channel eu-central';
    const [link] = replicationFromAnnotations(
      { 'eu-west': [sts] },
      { now, maxLagSeconds: 5 },
    );
    expect(link).toEqual(
      expect.objectContaining({
        from: 'eu-central',
        to: 'eu-west',
        lagSeconds: null,
        healthy: false,
        reason:
          'broken: IO thread not running: error connecting to source of channel eu-central',
      }),
    );
  });

  it('reports a lag older than 30 s as unknown', () => {
    const [link] = replicationFromAnnotations(
      {
        'eu-west': [
          statefulSet({
            cluster: 'eu-west',
            role: 'passive',
            source: 'eu-central',
            lag: '0.2',
            observedAt: secondsAgo(31),
          }),
        ],
      },
      { now, maxLagSeconds: 5 },
    );
    expect(link.lagSeconds).toBeNull();
    expect(link.healthy).toBe(false);
    expect(link.reason).toMatch(/31s ago/);
  });

  it('flags a lag over the bound and a missing observation time', () => {
    const links = replicationFromAnnotations(
      {
        a: [
          statefulSet({
            cluster: 'a',
            role: 'passive',
            source: 'c',
            lag: '9',
            observedAt: secondsAgo(1),
          }),
        ],
        b: [
          statefulSet({ cluster: 'b', role: 'passive', source: 'c', lag: '1' }),
        ],
      },
      { now, maxLagSeconds: 5 },
    );
    expect(links.map(l => [l.to, l.lagSeconds, l.healthy])).toEqual([
      ['a', 9, false],
      ['b', null, false],
    ]);
  });
});

describe('replicationFromCnpg', () => {
  it('resolves the primary by the replica self names', () => {
    const cnpg = (self: string, primary: string, lag?: string) => ({
      metadata: {
        name: 'pg',
        annotations: (lag
          ? {
              'multicluster-statefulsets/replication-lag-seconds': lag,
              'multicluster-statefulsets/replication-lag-observed-at':
                secondsAgo(2),
            }
          : {}) as Record<string, string>,
      },
      spec: { replica: { self, primary, source: primary } },
      status: { phase: 'Cluster in healthy state' },
    });
    const links = replicationFromCnpg(
      {
        'eu-central': [cnpg('pg-central', 'pg-central')],
        'us-east': [cnpg('pg-us', 'pg-central', '0.5')],
      },
      { now, maxLagSeconds: 5 },
    );
    expect(links).toEqual([
      expect.objectContaining({
        from: 'eu-central',
        to: 'us-east',
        lagSeconds: 0.5,
        healthy: true,
        provider: 'cloudnative-pg',
      }),
    ]);
  });

  it('prefers a lag measured in the status, and ages it like any other', () => {
    const replica = (seconds: number, observedAgo: number) => ({
      metadata: { name: 'pg' },
      spec: { replica: { enabled: true, source: 'eu-central' } },
      status: {
        replicationLag: {
          source: 'eu-central',
          seconds,
          observedAt: secondsAgo(observedAgo),
        },
      },
    });
    const fresh = replicationFromCnpg(
      { 'eu-west': [replica(0.8, 1)] },
      { now, maxLagSeconds: 5 },
    );
    expect(fresh).toEqual([
      expect.objectContaining({
        from: 'eu-central',
        to: 'eu-west',
        lagSeconds: 0.8,
        healthy: true,
      }),
    ]);
    const old = replicationFromCnpg(
      { 'eu-west': [replica(0.8, 45)] },
      { now, maxLagSeconds: 5 },
    );
    expect(old[0].lagSeconds).toBeNull();
  });
});
