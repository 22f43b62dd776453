import {
  ClusterWriteClient,
  FailoverReplicationProvider,
  FailoverSide,
  isFailoverReplicationProvider,
  LagSource,
  LagTarget,
} from '@multicluster/backstage-plugin-statefulsets-node';
import { ExternalLagReading } from '@multicluster/backstage-plugin-statefulsets-common';
import { LagSourceFailoverProvider } from './LagSourceFailoverProvider';

const workload = {
  apiVersion: 'apps/v1',
  kind: 'StatefulSet',
  namespace: 'databases',
  name: 'orders-db',
};
const client = { cluster: 'x' } as ClusterWriteClient;
const target: FailoverSide = { cluster: 'eu-west', client, workload };
const source: FailoverSide = { cluster: 'eu-central', client, workload };

function inner() {
  const provider = {
    id: 'generic',
    supports: jest.fn(() => true),
    readReplication: jest.fn(async () => []),
    supportsWorkload: jest.fn(() => true),
    readLag: jest.fn(async () => ({ seconds: 0.3, observedAt: 'annotation' })),
    fence: jest.fn(async () => ({ replicas: 2 })),
    unfence: jest.fn(async () => undefined),
    waitCaughtUp: jest.fn(async () => ({
      seconds: 0,
      observedAt: 'annotation',
    })),
    promote: jest.fn(async () => ({})),
    abortPromotion: jest.fn(async () => undefined),
    isPromoted: jest.fn(async () => true),
    markFenced: jest.fn(async () => undefined),
    verifyRoles: jest.fn(async (): Promise<string[]> => []),
  };
  return provider satisfies FailoverReplicationProvider;
}

/** A lag source answering the readings in turn, the last one for ever. */
function lagSource(...readings: ExternalLagReading[]) {
  const asked: LagTarget[] = [];
  const lag: LagSource = {
    id: 'prometheus',
    supportsEngine: engine => engine === 'mysql',
    readLag: async t => {
      asked.push(t);
      return readings.length > 1 ? readings.shift()! : readings[0];
    },
  };
  return { source: lag, asked };
}

describe('LagSourceFailoverProvider', () => {
  const now = () => Date.now();

  it('stays a failover provider and hands everything but lag to the provider', async () => {
    const wrapped = inner();
    const provider = new LagSourceFailoverProvider(
      wrapped,
      lagSource({ seconds: 1 }).source,
    );
    expect(isFailoverReplicationProvider(provider)).toBe(true);
    const ctx = { entityRef: 'component:default/orders-db', now };
    await provider.fence(source, target, ctx);
    await provider.reattach(source, target, {}, ctx);
    expect(wrapped.fence).toHaveBeenCalledWith(source, target, ctx);
    expect(provider.supportsWorkload(workload)).toBe(true);
  });

  it("describes its steps in the provider's words", () => {
    const sides = { sourceCluster: 'eu-central', targetCluster: 'eu-west' };
    const words = {
      fenceMethod: 'read-only',
      fence: ['read_only = ON'],
      promote: ['read_only = OFF'],
      fenceOldSource: ['super_read_only = ON'],
      promoteWithoutSource: ['RESET REPLICA ALL'],
    };
    const { source: lag } = lagSource({ seconds: 1 });
    const described = new LagSourceFailoverProvider(
      { ...inner(), describeSteps: () => words },
      lag,
    );
    expect(described.describeSteps(sides)).toBe(words);
    // A provider without words is named, not described as scaling to zero;
    // it has no reattach, whatever the wrapper offers.
    const unnamed = new LagSourceFailoverProvider(inner(), lag).describeSteps(
      sides,
    );
    expect(unnamed.fenceMethod).toMatch(/fenced by the generic provider/);
    expect(unnamed.reattach).toBeUndefined();
  });

  it('reads the lag from the source for the engine of the plan', async () => {
    const { source: lag, asked } = lagSource({
      seconds: 2,
      observedAt: '2026-11-27T12:00:00.000Z',
      reason: undefined,
    });
    const wrapped = inner();
    const provider = new LagSourceFailoverProvider(wrapped, lag);
    await expect(
      provider.readLag(target, { entityRef: 'e', engine: 'mysql', now }),
    ).resolves.toEqual({ seconds: 2, observedAt: '2026-11-27T12:00:00.000Z' });
    expect(asked).toEqual([
      {
        engine: 'mysql',
        namespace: 'databases',
        workload: 'orders-db',
        cluster: 'eu-west',
        source: undefined,
      },
    ]);
    expect(wrapped.readLag).not.toHaveBeenCalled();
  });

  it("keeps the provider's lag for runs without an engine or for engines without a query", async () => {
    const wrapped = inner();
    const provider = new LagSourceFailoverProvider(
      wrapped,
      lagSource({ seconds: 9 }).source,
    );
    await expect(
      provider.readLag(target, { entityRef: 'e', now }),
    ).resolves.toEqual({ seconds: 0.3, observedAt: 'annotation' });
    await provider.waitCaughtUp(target, source, {
      entityRef: 'e',
      engine: 'kafka',
      now,
      timeoutMs: 100,
    });
    expect(wrapped.waitCaughtUp).toHaveBeenCalled();
  });

  it("keeps a provider's wait on the engine's own positions", async () => {
    const wrapped = { ...inner(), catchUpInEngine: true };
    const lag = lagSource({ seconds: 9 });
    const provider = new LagSourceFailoverProvider(wrapped, lag.source);
    await provider.waitCaughtUp(target, source, {
      entityRef: 'e',
      engine: 'mysql',
      now,
      timeoutMs: 100,
    });
    expect(wrapped.waitCaughtUp).toHaveBeenCalled();
    expect(lag.asked).toEqual([]);
  });

  it('waits until the source reports zero lag measured after the fence', async () => {
    const since = Date.now();
    const before = new Date(since - 5000).toISOString();
    const after = new Date(since + 1000).toISOString();
    const { source: lag, asked } = lagSource(
      { seconds: 1.2, observedAt: after },
      { seconds: null, reason: 'lag unknown: Prometheus did not answer' },
      { seconds: 0, observedAt: before },
      { seconds: 0, observedAt: after },
    );
    const provider = new LagSourceFailoverProvider(inner(), lag, {
      pollIntervalMs: 5,
    });
    await expect(
      provider.waitCaughtUp(target, source, {
        entityRef: 'e',
        engine: 'mysql',
        now,
        timeoutMs: 5000,
        since,
      }),
    ).resolves.toEqual({ seconds: 0, observedAt: after });
    expect(asked).toHaveLength(4);
    expect(asked[0].source).toBe('eu-central');
  });

  it('gives up at the timeout with the last lag in the message', async () => {
    const provider = new LagSourceFailoverProvider(
      inner(),
      lagSource({ seconds: 3, observedAt: new Date().toISOString() }).source,
      { pollIntervalMs: 5 },
    );
    await expect(
      provider.waitCaughtUp(target, source, {
        entityRef: 'e',
        engine: 'mysql',
        now,
        timeoutMs: 50,
      }),
    ).rejects.toThrow(/eu-west did not catch up with eu-central \(last lag 3s/);
  });
});
