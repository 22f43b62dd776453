/*
 * Impersonation end to end: the demo world with RBAC on, a kubernetes:
 * entry holding a read-only token, separate write credentials that may only
 * impersonate, and the clusters' RBAC letting group `dbas` change the
 * `databases` namespace and nobody else. Apply and failover act as the
 * user they were started by; a refusal says who was refused what.
 */
import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import {
  loadWorld,
  RunningSimulator,
  startSimulator,
} from '@multicluster/cluster-simulator';
import path from 'node:path';
import { ApplyService } from '../apply/ApplyService';
import { DatabaseGeneratedEntityStore } from '../apply/DatabaseGeneratedEntityStore';
import { buildFailover } from '../failover/buildFailover';
import {
  clientsFor,
  liveTopology,
} from '../failover/__testUtils__/simulatorWorld';
import { ClusterConnection } from './ClusterConnection';
import { createAuthStrategy } from './createAuthStrategy';
import { readClusterConfig } from './readClusterConfig';
import { createWriteIdentityResolver } from './writeIdentity';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
const RBAC = 'rbac.authorization.k8s.io/v1';
const ref = (kind: string, name: string) => ({
  apiGroup: 'rbac.authorization.k8s.io',
  kind,
  name,
});

/** What a platform team would install in each cluster. */
const RBAC_OBJECTS = [
  {
    apiVersion: RBAC,
    kind: 'ClusterRole',
    metadata: { name: 'backstage-impersonator' },
    rules: [
      {
        apiGroups: [''],
        resources: ['users', 'groups'],
        verbs: ['impersonate'],
      },
    ],
  },
  {
    apiVersion: RBAC,
    kind: 'ClusterRoleBinding',
    metadata: { name: 'backstage-impersonator' },
    roleRef: ref('ClusterRole', 'backstage-impersonator'),
    subjects: [{ kind: 'User', name: 'backstage' }],
  },
  {
    apiVersion: RBAC,
    kind: 'ClusterRole',
    metadata: { name: 'view' },
    rules: [
      { apiGroups: ['*'], resources: ['*'], verbs: ['get', 'list', 'watch'] },
    ],
  },
  {
    apiVersion: RBAC,
    kind: 'ClusterRoleBinding',
    metadata: { name: 'everyone-views' },
    roleRef: ref('ClusterRole', 'view'),
    subjects: [
      { kind: 'Group', name: 'dbas' },
      { kind: 'Group', name: 'devs' },
    ],
  },
  {
    apiVersion: RBAC,
    kind: 'Role',
    metadata: { name: 'database-operator', namespace: 'databases' },
    rules: [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }],
  },
  {
    apiVersion: RBAC,
    kind: 'RoleBinding',
    metadata: { name: 'dbas-operate', namespace: 'databases' },
    roleRef: ref('Role', 'database-operator'),
    subjects: [{ kind: 'Group', name: 'dbas' }],
  },
];

const OWNERSHIP: Record<string, string[]> = {
  'user:default/ann': ['user:default/ann', 'group:default/dbas'],
  'user:default/bob': ['user:default/bob', 'group:default/devs'],
};
const userInfo = mockServices.userInfo.mock({
  getUserInfo: async credentials => {
    const userEntityRef = (credentials.principal as { userEntityRef: string })
      .userEntityRef;
    return { userEntityRef, ownershipEntityRefs: OWNERSHIP[userEntityRef] };
  },
});
const user = (userEntityRef: string) => ({
  $$type: '@backstage/BackstageCredentials' as const,
  principal: { type: 'user' as const, userEntityRef },
});

let sim: RunningSimulator;
let config: ConfigReader;

beforeAll(async () => {
  const world = loadWorld(
    path.resolve(__dirname, '../../../../examples/world/world.yaml'),
  );
  world.replication = { ...world.replication, intervalMs: 100 };
  for (const c of world.clusters) {
    c.rbac = true;
    c.readOnlyToken = `read-${c.name}`;
    c.users = [{ token: `write-${c.name}`, user: 'backstage', groups: [] }];
    c.objects.push(
      ...RBAC_OBJECTS.map(object => ({ object, source: 'impersonation.test' })),
    );
  }
  sim = await startSimulator({
    world,
    portBase: 0,
    adminPort: 0,
    readinessDelayMs: 20,
    tickMs: 50,
    onError: () => undefined,
  });
  config = new ConfigReader({
    kubernetes: {
      clusterLocatorMethods: [
        {
          type: 'config',
          clusters: sim.clusters.map(c => ({
            name: c.name,
            url: c.url,
            authProvider: 'serviceAccount',
            serviceAccountToken: `read-${c.name}`,
            skipTLSVerify: true,
          })),
        },
      ],
    },
    multiclusterStatefulsets: {
      writes: { impersonation: { enabled: true } },
      clusters: Object.fromEntries(
        sim.clusters.map(c => [
          c.name,
          {
            write: {
              authProvider: 'serviceAccount',
              serviceAccountToken: `write-${c.name}`,
            },
          },
        ]),
      ),
    },
  });
});

afterAll(() => sim.stop());

describe('apply with impersonation', () => {
  const settings = (mode: string) => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'ledger-db-settings', namespace: 'databases' },
    data: { mode },
  });

  it("applies as a user the cluster's RBAC allows and refuses one it does not, naming them", async () => {
    const apply = ApplyService.create({
      connections: ClusterConnection.createAll(
        readClusterConfig(config),
        createAuthStrategy(),
      ),
      store: await DatabaseGeneratedEntityStore.create({
        database: await databases.init('SQLITE_3'),
      }),
      logger: mockServices.logger.mock(),
      writeIdentity: createWriteIdentityResolver({ config, userInfo }),
    });
    const post = (userEntityRef: string, mode: string) =>
      apply.apply(
        {
          entityRef: 'component:default/ledger-db',
          dryRun: false,
          clusters: [{ name: 'eu-west', manifests: [settings(mode)] }],
        },
        {
          actor: userEntityRef,
          caller: { refs: OWNERSHIP[userEntityRef] },
          credentials: user(userEntityRef),
        },
      );
    const live = () =>
      sim.stores
        .get('eu-west')!
        .get('v1', 'ConfigMap', 'databases', 'ledger-db-settings');

    const byAnn = await post('user:default/ann', 'replica');
    expect(byAnn.results[0]).toMatchObject({
      cluster: 'eu-west',
      status: 'ok',
    });
    expect(live()?.data).toEqual({ mode: 'replica' });

    const before = live()!.metadata.resourceVersion;
    const byBob = await post('user:default/bob', 'primary');
    expect(byBob.results[0]).toMatchObject({
      cluster: 'eu-west',
      status: 'failed',
      error: expect.stringContaining(
        `eu-west refused patch configmaps/ledger-db-settings in databases for user bob (groups devs): the cluster's RBAC does not allow it (configmaps "ledger-db-settings" is forbidden: User "bob" cannot patch resource "configmaps" in API group "" in the namespace "databases")`,
      ),
    });
    expect(live()?.data).toEqual({ mode: 'replica' });
    expect(live()?.metadata.resourceVersion).toBe(before);
  });
});

describe('failover with impersonation', () => {
  it('records who started a run and acts as them: a user outside dbas is refused, a dba succeeds', async () => {
    const failover = await buildFailover({
      config,
      database: mockServices.database.mock({
        getClient: async () => databases.init('SQLITE_3'),
      }),
      logger: mockServices.logger.mock(),
      auditor: mockServices.auditor.mock({
        createEvent: async () => ({
          success: async () => undefined,
          fail: async () => undefined,
        }),
      }),
      httpAuth: mockServices.httpAuth.mock(),
      permissions: mockServices.permissions.mock(),
      topology: { getTopology: jest.fn() },
      userInfo,
    });
    const { engine, store } = failover;
    const admin = clientsFor(sim);
    const topology = async () => {
      for (let i = 0; i < 200; i += 1) {
        const t = await liveTopology(sim, admin, 'orders-mysql');
        const ready =
          t.replication[0]?.lagSeconds !== null &&
          t.clusters.every(c =>
            c.workloads.every(w => w.replicas.ready === w.replicas.desired),
          );
        if (ready) return t;
        await new Promise(r => setTimeout(r, 50));
      }
      throw new Error('the demo world did not settle');
    };
    const sts = (cluster: string) =>
      sim.stores
        .get(cluster)!
        .get('apps/v1', 'StatefulSet', 'databases', 'orders-mysql')!;
    const vs = (cluster: string) =>
      sim.stores
        .get(cluster)!
        .get(
          'networking.istio.io/v1',
          'VirtualService',
          'databases',
          'orders-mysql',
        );
    // Controllers keep updating lag and status; what a run changes is these.
    const versions = () =>
      ['eu-central', 'eu-west'].flatMap(c => [
        sts(c).spec.replicas,
        sts(c).metadata.annotations?.['multicluster-statefulsets/role'],
        JSON.stringify(vs(c)?.spec),
      ]);
    const before = versions();
    const refused = await engine.start({
      topology: await topology(),
      targetCluster: 'eu-west',
      mode: 'switchover',
      actor: 'user:default/bob',
      writeIdentity: { user: 'bob', groups: ['devs'] },
    });
    await engine.waitForRun(refused.id);
    const run = await store.getRunDetails(refused.id);
    expect(run.plan).toMatchObject({
      writeIdentity: { user: 'bob', groups: ['devs'] },
    });
    expect(run.status).toBe('rolled-back');
    const failedStep = run.steps.find(s => s.status === 'failed');
    // The run's first write moves traffic away from the source.
    expect(failedStep?.error).toMatch(
      /^eu-central refused patch virtualservices\/orders-mysql in databases for user bob \(groups devs\): the cluster's RBAC does not allow it \(virtualservices.networking.istio.io "orders-mysql" is forbidden: User "bob"/,
    );
    expect(versions()).toEqual(before);

    const allowed = await engine.start({
      topology: await topology(),
      targetCluster: 'eu-west',
      mode: 'switchover',
      actor: 'user:default/ann',
      writeIdentity: { user: 'ann', groups: ['dbas'] },
    });
    await engine.waitForRun(allowed.id);
    const done = await store.getRunDetails(allowed.id);
    expect(done.error).toBeUndefined();
    expect(done.status).toBe('succeeded');
    expect(
      sts('eu-west').metadata.annotations?.['multicluster-statefulsets/role'],
    ).toBe('active');
    await engine.stop();
  });
});
