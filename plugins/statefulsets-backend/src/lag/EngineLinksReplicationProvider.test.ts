import {
  EngineRoleReading,
  readEntityPolicy,
  ReplicationLink,
} from '@multicluster/backstage-plugin-statefulsets-common';
import {
  EntityContext,
  ReplicationProvider,
} from '@multicluster/backstage-plugin-statefulsets-node';
import {
  EngineLinksReplicationProvider,
  OncePerContextEngineRoles,
} from './EngineLinksReplicationProvider';

function context(): EntityContext {
  return {
    entityRef: 'component:default/inventory',
    annotations: {},
    policy: readEntityPolicy({
      'multicluster-statefulsets/engine': 'postgresql',
    }),
    clusters: [],
    now: 0,
  };
}

const declared: ReplicationLink = {
  from: 'us-east',
  to: 'eu-west',
  workload: 'inventory',
  lagSeconds: 0.2,
  healthy: true,
  provider: 'postgres-streaming',
};

const inner: ReplicationProvider = {
  id: 'postgres-streaming',
  supports: () => true,
  readReplication: async () => [declared],
};

describe('EngineLinksReplicationProvider', () => {
  it('turns the declared link round when the engine reports the other primary, reading the roles once per context', async () => {
    const readRoles = jest.fn(
      async (): Promise<EngineRoleReading[]> => [
        {
          cluster: 'us-east',
          namespace: 'db',
          workload: 'inventory',
          source: 'postgres-exporter' as const,
          pods: { 'inventory-20': 'replica' as const },
        },
        {
          cluster: 'eu-west',
          namespace: 'db',
          workload: 'inventory',
          source: 'postgres-exporter' as const,
          pods: { 'inventory-10': 'primary' as const },
        },
      ],
    );
    const roles = new OncePerContextEngineRoles({ readRoles });
    const provider = new EngineLinksReplicationProvider(inner, roles);
    const ctx = context();
    const links = await provider.readReplication(ctx);
    expect(links.map(l => `${l.from}->${l.to}`)).toEqual(['eu-west->us-east']);
    expect(links[0]).toMatchObject({ lagSeconds: null, healthy: false });
    // The topology asks again for the clusters' roles: the same reading.
    await roles.readRoles(ctx);
    expect(readRoles).toHaveBeenCalledTimes(1);
    await roles.readRoles(context());
    expect(readRoles).toHaveBeenCalledTimes(2);
  });

  it('keeps the declared links when the roles cannot be read', async () => {
    const provider = new EngineLinksReplicationProvider(inner, {
      readRoles: async () => {
        throw new Error('Prometheus answered 503');
      },
    });
    expect(await provider.readReplication(context())).toEqual([declared]);
  });
});
