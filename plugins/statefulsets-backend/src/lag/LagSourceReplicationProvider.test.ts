import {
  emptyClusterObjects,
  ExternalLagReading,
  KubeObject,
  readEntityPolicy,
} from '@multicluster/backstage-plugin-statefulsets-common';
import {
  GenericStatefulSetProvider,
  EntityContext,
  LagSource,
  LagTarget,
} from '@multicluster/backstage-plugin-statefulsets-node';
import { LagSourceReplicationProvider } from './LagSourceReplicationProvider';

const now = Date.parse('2026-11-27T12:00:00Z');

function sts(annotations: Record<string, string>): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'orders-db', namespace: 'databases', annotations },
    spec: { replicas: 2 },
  };
}

function context(engine: string, westReadable = true): EntityContext {
  const objects = (o: KubeObject) => ({
    ...emptyClusterObjects(),
    statefulSets: [o],
  });
  const annotations = {
    'multicluster-statefulsets/engine': engine,
    'backstage.io/kubernetes-namespace': 'fallback-ns',
  };
  return {
    entityRef: 'component:default/orders-db',
    annotations,
    policy: readEntityPolicy(annotations),
    now,
    clusters: [
      {
        cluster: { name: 'eu-central', zones: [] },
        objects: objects(sts({ 'multicluster-statefulsets/role': 'active' })),
      },
      {
        cluster: { name: 'eu-west', zones: [] },
        objects: westReadable
          ? objects(
              sts({
                'multicluster-statefulsets/role': 'passive',
                'multicluster-statefulsets/replication-source': 'eu-central',
                // The exporter's annotation says otherwise; Prometheus wins.
                'multicluster-statefulsets/replication-lag-seconds': '0.1',
                'multicluster-statefulsets/replication-lag-observed-at':
                  '2026-11-27T11:59:59Z',
              }),
            )
          : undefined,
      },
    ],
  };
}

class FakeLagSource implements LagSource {
  readonly id = 'prometheus';
  readonly asked: LagTarget[] = [];
  constructor(private readonly reading: ExternalLagReading) {}
  supportsEngine(engine: string) {
    return engine === 'mysql';
  }
  async readLag(target: LagTarget) {
    this.asked.push(target);
    return this.reading;
  }
}

describe('LagSourceReplicationProvider', () => {
  it("puts the source's lag on the provider's links", async () => {
    const lag = new FakeLagSource({
      seconds: 7,
      observedAt: '2026-11-27T11:59:58.000Z',
    });
    const provider = new LagSourceReplicationProvider(
      new GenericStatefulSetProvider(),
      lag,
    );
    expect(provider.id).toBe('generic');
    expect(provider.supports(context('mysql'))).toBe(true);
    await expect(provider.readReplication(context('mysql'))).resolves.toEqual([
      {
        from: 'eu-central',
        to: 'eu-west',
        workload: 'orders-db',
        provider: 'generic',
        lagSource: 'prometheus',
        lagSeconds: 7,
        observedAt: '2026-11-27T11:59:58.000Z',
        healthy: false,
        reason: 'lag 7s over the 5s bound',
      },
    ]);
    expect(lag.asked).toEqual([
      {
        engine: 'mysql',
        namespace: 'databases',
        workload: 'orders-db',
        cluster: 'eu-west',
        source: 'eu-central',
      },
    ]);
  });

  it("leaves engines the source does not measure to the provider's lag", async () => {
    const lag = new FakeLagSource({ seconds: 7 });
    const provider = new LagSourceReplicationProvider(
      new GenericStatefulSetProvider(),
      lag,
    );
    const [link] = await provider.readReplication(context('mongodb'));
    expect(link).toMatchObject({ lagSeconds: 0.1, healthy: true });
    expect(link.lagSource).toBeUndefined();
    expect(lag.asked).toEqual([]);
  });

  it('finds the namespace in the source cluster when the replica is unreadable', async () => {
    const lag = new FakeLagSource({ seconds: null, reason: 'lag unknown: x' });
    const inner = new GenericStatefulSetProvider();
    const provider = new LagSourceReplicationProvider(
      {
        id: 'generic',
        supports: () => true,
        readReplication: async () => inner.readReplication(context('mysql')),
      },
      lag,
    );
    const [link] = await provider.readReplication(context('mysql', false));
    expect(lag.asked[0].namespace).toBe('databases');
    expect(link).toMatchObject({
      lagSeconds: null,
      healthy: false,
      reason: 'lag unknown: x',
    });
  });

  it('makes a throwing lag source an unknown lag, not a failed provider', async () => {
    const provider = new LagSourceReplicationProvider(
      new GenericStatefulSetProvider(),
      {
        id: 'prometheus',
        supportsEngine: () => true,
        readLag: async () => {
          throw new Error('boom');
        },
      },
    );
    const [link] = await provider.readReplication(context('mysql'));
    expect(link).toMatchObject({
      lagSeconds: null,
      reason: 'lag unknown: boom',
    });
  });
});
