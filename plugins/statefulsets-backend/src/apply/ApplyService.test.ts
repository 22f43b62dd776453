import fs from 'node:fs';
import path from 'node:path';
import {
  mockCredentials,
  mockServices,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { ANNOTATION_KUBERNETES_AUTH_PROVIDER } from '@backstage/plugin-kubernetes-common';
import {
  CONTROLLER_MADE_KINDS,
  loadWorld,
  RunningSimulator,
  startSimulator,
} from '@multicluster/cluster-simulator';
import { parse, parseAllDocuments } from 'yaml';
import { ClusterConnection } from '../cluster/ClusterConnection';
import { createAuthStrategy } from '../cluster/createAuthStrategy';
import { ConfiguredCluster } from '../cluster/readClusterConfig';
import { ApplyService } from './ApplyService';
import { DatabaseGeneratedEntityStore } from './DatabaseGeneratedEntityStore';
import { ApplyRequest, ClusterManifests, ManifestObject } from './types';
import { validateCatalogInfo } from './validateApplyRequest';

// The generator's golden output for MySQL, active-passive, no federation,
// MCS routing: what `multicluster:statefulset:generate` writes for that case.
const GOLDEN = path.resolve(
  __dirname,
  '../../../scaffolder-backend-module-statefulsets/src/generate/__fixtures__/golden',
);
const ENTITY_REF = 'component:default/mysql-db';
const CNPG = 'postgresql.cnpg.io/v1';

/** Resolves once `check` holds, polling; rejects after `timeoutMs`. */
async function eventually(check: () => unknown, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise(resolve => setTimeout(resolve, 50));
  }
}

/** The golden entities' owner, group:default/dba, is one of ann's groups. */
const ANN = {
  actor: 'user:default/ann',
  caller: { refs: ['user:default/ann', 'group:default/dba'] },
};
/** A second signed-in user who owns nothing. */
const MALLORY = {
  actor: 'user:default/mallory',
  caller: { refs: ['user:default/mallory', 'group:default/payments'] },
};

function loadCase(caseName = 'mysql-active-passive-none-mcs'): {
  clusters: ClusterManifests[];
  catalogInfo: any;
} {
  const CASE_DIR = path.join(GOLDEN, caseName);
  const plan = parse(
    fs.readFileSync(path.join(CASE_DIR, 'apply-plan.yaml'), 'utf8'),
  );
  const clusters = plan.targets.map((t: any) => ({
    name: t.name,
    manifests: t.manifests.flatMap((file: string) =>
      parseAllDocuments(fs.readFileSync(path.join(CASE_DIR, file), 'utf8'))
        .map(d => d.toJS())
        .filter(Boolean),
    ) as ManifestObject[],
  }));
  const catalogInfo = parse(
    fs.readFileSync(path.join(CASE_DIR, 'catalog-info.yaml'), 'utf8'),
  );
  return { clusters, catalogInfo };
}

function configured(sim: RunningSimulator): ConfiguredCluster[] {
  return sim.clusters.map(c => ({
    details: {
      name: c.name,
      url: c.url,
      // The simulator's plain-HTTP port; client-node refuses http without this.
      skipTLSVerify: true,
      authMetadata: {
        [ANNOTATION_KUBERNETES_AUTH_PROVIDER]: 'serviceAccount',
        serviceAccountToken: c.token,
      },
    },
    info: {
      name: c.name,
      zones: c.zones,
      region: c.region,
      ...(c.federationHost === 'karmada' || c.federationHost === 'kubefed'
        ? { federationHost: c.federationHost }
        : {}),
    },
  }));
}

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

// Every test applies whole generated sets to three simulated clusters, some
// twice: seconds each when the machine is busy.
jest.setTimeout(30_000);

describe('ApplyService against the cluster simulator', () => {
  let sim: RunningSimulator;
  let store: DatabaseGeneratedEntityStore;
  let service: ApplyService;

  beforeEach(async () => {
    const world = loadWorld(
      path.resolve(__dirname, '../../../../examples/world/world.yaml'),
    );
    sim = await startSimulator({
      world,
      portBase: 0,
      adminPort: 0,
      readinessDelayMs: 20,
      tickMs: 50,
      onError: () => undefined,
    });
    store = await DatabaseGeneratedEntityStore.create({
      database: await databases.init('SQLITE_3'),
    });
    service = ApplyService.create({
      connections: ClusterConnection.createAll(
        configured(sim),
        createAuthStrategy(),
      ),
      store,
      logger: mockServices.logger.mock(),
      // Generous: a loaded machine stretches a simulated call past a second.
      timeoutMs: 5000,
    });
  });

  afterEach(async () => {
    await sim.stop();
  });

  function request(overrides: Partial<ApplyRequest> = {}): ApplyRequest {
    const { clusters, catalogInfo } = loadCase();
    return {
      entityRef: ENTITY_REF,
      dryRun: false,
      clusters,
      catalogInfo,
      ...overrides,
    };
  }

  it('applies a generated set, creates the namespace and registers the entity', async () => {
    const req = request();
    // The generated entity passes the endpoint's own validation.
    await expect(
      validateCatalogInfo(req.catalogInfo, ENTITY_REF),
    ).resolves.toMatchObject({ metadata: { name: 'mysql-db' } });
    const res = await service.apply(req, ANN);
    expect(res.results.map(r => r.error)).toEqual([undefined, undefined]);

    expect(res.results.map(r => [r.cluster, r.status])).toEqual([
      ['eu-central', 'ok'],
      ['eu-west', 'ok'],
    ]);
    for (const r of res.results) {
      const target = req.clusters.find(c => c.name === r.cluster)!;
      expect(r.objects[0]).toEqual({
        kind: 'Namespace',
        name: 'data',
        action: 'created',
      });
      expect(r.objects.slice(1).map(o => `${o.kind}/${o.name}`)).toEqual(
        target.manifests.map(m => `${m.kind}/${m.metadata.name}`),
      );
      expect(r.objects.every(o => o.action === 'created')).toBe(true);
      const sts = sim.stores
        .get(r.cluster)!
        .get('apps/v1', 'StatefulSet', 'data', 'mysql-db');
      expect(sts?.metadata.annotations).toMatchObject({
        'multicluster-statefulsets/owner-entity': ENTITY_REF,
      });
      expect(
        sim.stores.get(r.cluster)!.get('v1', 'Namespace', undefined, 'data')
          ?.metadata.annotations,
      ).toMatchObject({ 'multicluster-statefulsets/owner-entity': ENTITY_REF });
      expect(sts?.metadata.managedFields).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            manager: 'multicluster-statefulsets',
            operation: 'Apply',
          }),
        ]),
      );
    }
    expect(res.registered).toBe(true);
    const stored = await store.get(ENTITY_REF);
    expect(stored?.createdBy).toBe('user:default/ann');
    expect(stored?.entity.metadata.annotations).toMatchObject({
      'backstage.io/managed-by-location':
        'multicluster-statefulsets:component:default/mysql-db',
      'backstage.io/managed-by-origin-location':
        'multicluster-statefulsets:component:default/mysql-db',
    });
  });

  it('applies a federated set of custom resources (Karmada, CloudNativePG, Istio)', async () => {
    const { clusters, catalogInfo } = loadCase(
      'postgresql-active-passive-karmada-istio',
    );
    const kinds = new Set(clusters.flatMap(c => c.manifests.map(m => m.kind)));
    expect([...kinds]).toEqual(
      expect.arrayContaining([
        'PropagationPolicy',
        'Cluster',
        'VirtualService',
      ]),
    );

    const res = await service.apply(
      {
        entityRef: 'component:default/postgresql-db',
        dryRun: false,
        clusters,
        catalogInfo,
      },
      ANN,
    );

    expect(res.results.map(r => [r.cluster, r.status, r.error])).toEqual(
      clusters.map(c => [c.name, 'ok', undefined]),
    );
    expect(res.registered).toBe(true);

    // Policies and the template went to the Karmada API server only; the
    // members run the copies Karmada propagated from there.
    const holders = (kind: string, apiVersion: string) =>
      sim.clusters
        .filter(c =>
          sim.stores
            .get(c.name)!
            .list(apiVersion, kind, 'data')
            .some(o => o.metadata.name.startsWith('postgresql-db')),
        )
        .map(c => c.name);
    const KARMADA = 'policy.karmada.io/v1alpha1';
    expect(holders('PropagationPolicy', KARMADA)).toEqual(['karmada']);
    expect(holders('OverridePolicy', KARMADA)).toEqual(['karmada']);
    const members = ['eu-central', 'eu-west', 'us-east'];
    await eventually(() =>
      members.every(m =>
        sim.stores.get(m)!.get(CNPG, 'Cluster', 'data', 'postgresql-db'),
      ),
    );
    for (const m of members) {
      expect(
        sim.stores.get(m)!.get(CNPG, 'Cluster', 'data', 'postgresql-db')!
          .metadata.labels,
      ).toMatchObject({ 'karmada.io/managed': 'true' });
    }
  });

  it('has Karmada place a StatefulSet on the members as the golden plan says, each with its overrides', async () => {
    const { clusters, catalogInfo } = loadCase(
      'mysql-active-passive-karmada-istio',
    );
    const res = await service.apply(
      {
        entityRef: 'component:default/mysql-db',
        dryRun: false,
        clusters,
        catalogInfo,
      },
      ANN,
    );
    expect(res.results.every(r => r.status === 'ok')).toBe(true);
    const sts = (cluster: string) =>
      sim.stores
        .get(cluster)!
        .get('apps/v1', 'StatefulSet', 'data', 'mysql-db');
    // The template on the API server starts no pods there.
    expect(sts('karmada')).toBeDefined();
    const members = { 'eu-central': 0, 'eu-west': 100, 'us-east': 200 };
    await eventually(() => Object.keys(members).every(sts));
    for (const [member, start] of Object.entries(members)) {
      expect([member, sts(member)!.spec.ordinals.start]).toEqual([
        member,
        start,
      ]);
    }
    expect(sim.stores.get('karmada')!.list('v1', 'Pod', 'data')).toEqual([]);
  });

  it('refuses Karmada objects for a member cluster, writing nothing', async () => {
    const { clusters, catalogInfo } = loadCase(
      'postgresql-active-passive-karmada-istio',
    );
    const apiServer = clusters.find(c => c.name === 'karmada')!;
    const misplaced = clusters
      .filter(c => c.name !== 'karmada')
      .map(c =>
        c.name === 'eu-central'
          ? { ...c, manifests: [...c.manifests, ...apiServer.manifests] }
          : c,
      );
    await expect(
      service.apply(
        {
          entityRef: 'component:default/postgresql-db',
          dryRun: false,
          clusters: misplaced,
          catalogInfo,
        },
        ANN,
      ),
    ).rejects.toThrow(
      /^Karmada objects sent to a cluster that is not the Karmada API server: eu-central \(.*PropagationPolicy postgresql-db.*\); nothing was applied\. Send them to karmada, the cluster marked federationHost: karmada\.$/,
    );
    for (const c of sim.clusters) {
      expect(
        sim.stores.get(c.name)!.get('v1', 'Namespace', undefined, 'data'),
      ).toBeUndefined();
    }
  });

  describe('a KubeFed set', () => {
    const KUBEFED_CASE = 'mysql-active-active-kubefed-mcs';
    const apply = () => {
      const { clusters, catalogInfo } = loadCase(KUBEFED_CASE);
      return service.apply(
        {
          entityRef: 'component:default/mysql-db',
          dryRun: false,
          clusters,
          catalogInfo,
        },
        ANN,
      );
    };

    it('is refused while the KubeFed host lacks the type configs, naming the commands and writing nothing', async () => {
      const host = sim.stores.get('us-east')!;
      for (const name of ['statefulsets.apps', 'namespaces']) {
        host.delete(
          'core.kubefed.io/v1beta1',
          'FederatedTypeConfig',
          'kube-federation-system',
          name,
        );
      }
      await expect(apply()).rejects.toThrow(
        /^KubeFed does not federate the generated kinds: us-east has no FederatedTypeConfig namespaces, statefulsets\.apps in kube-federation-system; nothing was applied\. The platform enables them on the KubeFed host: kubefedctl enable namespaces; kubefedctl enable statefulsets\.apps\./,
      );
      for (const c of sim.clusters) {
        expect(
          sim.stores.get(c.name)!.get('v1', 'Namespace', undefined, 'data'),
        ).toBeUndefined();
      }
    });

    it('federates the namespace and places the StatefulSets with the type configs in place', async () => {
      const res = await apply();
      expect(res.results.map(r => [r.cluster, r.status, r.error])).toEqual([
        ['eu-central', 'ok', undefined],
        ['eu-west', 'ok', undefined],
        ['us-east', 'ok', undefined],
      ]);
      expect(
        sim.stores
          .get('us-east')!
          .get(
            'types.kubefed.io/v1beta1',
            'FederatedNamespace',
            'data',
            'data',
          ),
      ).toBeDefined();
      const members = ['eu-central', 'eu-west', 'us-east'];
      const placed = (m: string) =>
        sim.stores.get(m)!.get('apps/v1', 'StatefulSet', 'data', 'mysql-db');
      await eventually(() => members.every(placed));
      for (const m of members) {
        expect(placed(m)!.metadata.labels).toMatchObject({
          'kubefed.io/managed': 'true',
        });
      }
    });
  });

  it('reports every object unchanged when run again', async () => {
    await service.apply(request(), ANN);
    const again = await service.apply(request(), ANN);

    const actions = again.results.flatMap(r => r.objects.map(o => o.action));
    expect(actions.length).toBe(
      request().clusters.reduce((n, c) => n + c.manifests.length, 0),
    );
    expect(new Set(actions)).toEqual(new Set(['unchanged']));
  });

  it('changes nothing in a dry run', async () => {
    const dry = await service.apply(request({ dryRun: true }), ANN);
    expect(dry.results.every(r => r.status === 'ok')).toBe(true);
    expect(dry.registered).toBe(false);
    expect(await store.get(ENTITY_REF)).toBeUndefined();
    for (const c of sim.clusters) {
      const s = sim.stores.get(c.name)!;
      expect(s.get('v1', 'Namespace', undefined, 'data')).toBeUndefined();
      expect(s.get('v1', 'Service', 'data', 'mysql-db')).toBeUndefined();
    }

    // Against existing objects the dry run goes through the API server.
    await service.apply(request(), ANN);
    const eu = sim.stores.get('eu-central')!;
    const before = eu.get('v1', 'Service', 'data', 'mysql-db')!;
    const changed = request({ dryRun: true });
    const svc = changed.clusters[0].manifests.find(
      m => m.kind === 'Service' && m.metadata.name === 'mysql-db',
    )!;
    svc.metadata.labels = { ...(svc.metadata.labels as object), tier: 'gold' };
    const res = await service.apply(changed, ANN);

    expect(
      res.results[0].objects.find(
        o => o.kind === 'Service' && o.name === 'mysql-db',
      )?.action,
    ).toBe('configured');
    const after = eu.get('v1', 'Service', 'data', 'mysql-db')!;
    expect(after.metadata.resourceVersion).toBe(
      before.metadata.resourceVersion,
    );
    expect(after.metadata.labels?.tier).toBeUndefined();
  });

  it('fails only the cluster that lacks a CRD, naming it, before writing there', async () => {
    sim.stores
      .get('eu-west')!
      .delete(
        'apiextensions.k8s.io/v1',
        'CustomResourceDefinition',
        undefined,
        'serviceexports.multicluster.x-k8s.io',
      );

    const res = await service.apply(request(), ANN);

    const [central, west] = res.results;
    expect(central.status).toBe('ok');
    expect(west.status).toBe('failed');
    expect(west.error).toMatch(/missing CRD in eu-west: ServiceExport/);
    expect(west.objects).toEqual([]);
    expect(
      sim.stores.get('eu-west')!.get('v1', 'Namespace', undefined, 'data'),
    ).toBeUndefined();
    expect(res.registered).toBe(false);
    expect(await store.get(ENTITY_REF)).toBeUndefined();
  });

  it('fails only the cluster that is down', async () => {
    await sim.admin.setFaults('eu-west', { down: true });

    const res = await service.apply(request(), ANN);

    expect(res.results[0]).toMatchObject({
      cluster: 'eu-central',
      status: 'ok',
    });
    expect(res.results[1]).toMatchObject({
      cluster: 'eu-west',
      status: 'failed',
      error: expect.stringContaining('eu-west'),
    });
    expect(res.registered).toBe(false);
  });

  describe('as a second user who owns nothing', () => {
    const dump = (cluster: string) =>
      JSON.stringify(
        sim.stores
          .get(cluster)!
          .dump()
          // Not the resourceVersion: the simulator's lag controller keeps
          // annotating StatefulSets; a write would change spec, data or labels.
          // Nor what the controllers make on their own while the world rolls out.
          .filter(o => !CONTROLLER_MADE_KINDS.has(o.kind))
          .map(o => [
            o.kind,
            o.metadata.namespace,
            o.metadata.name,
            (o as any).spec,
            (o as any).data,
            // Karmada's propagation rewrites the same labels in another order.
            Object.entries(o.metadata.labels ?? {}).sort(),
          ]),
      );

    /** The dump once the simulator's controllers have stopped changing it. */
    async function settled(cluster: string): Promise<string> {
      let last = dump(cluster);
      for (let i = 0; i < 40; i++) {
        await new Promise(resolve => setTimeout(resolve, 250));
        const now = dump(cluster);
        if (now === last) return now;
        last = now;
      }
      return last;
    }

    it('refuses kinds the template never generates before any cluster is contacted', async () => {
      const before = await settled('eu-west');
      const binding = {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRoleBinding',
        metadata: { name: 'mallory-admin' },
        roleRef: {
          apiGroup: 'rbac.authorization.k8s.io',
          kind: 'ClusterRole',
          name: 'cluster-admin',
        },
        subjects: [{ kind: 'User', name: 'mallory' }],
      };
      await expect(
        service.apply(
          {
            entityRef: 'component:default/mallory-db',
            dryRun: false,
            clusters: [{ name: 'eu-west', manifests: [binding] }],
          },
          MALLORY,
        ),
      ).rejects.toMatchObject({
        name: 'InputError',
        message: expect.stringMatching(
          /^manifests refused: ClusterRoleBinding mallory-admin in eu-west: ClusterRoleBinding \(rbac.authorization.k8s.io\/v1\) is not a kind the template generates; accepted: /,
        ),
      });
      expect(dump('eu-west')).toBe(before);
    });

    it("refuses to write over another entity's stamped objects, writing nothing in that cluster", async () => {
      // orders-mysql in the demo world: stamped for component:default/orders-mysql,
      // in the shared, unstamped `databases` namespace.
      const eu = sim.stores.get('eu-west')!;
      const before = await settled('eu-west');
      const settings = {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'mallory-settings', namespace: 'databases' },
        data: { a: '1' },
      };
      const takeover = {
        apiVersion: 'apps/v1',
        kind: 'StatefulSet',
        metadata: { name: 'orders-mysql', namespace: 'databases' },
        spec: { replicas: 0 },
      };

      const res = await service.apply(
        {
          entityRef: 'component:default/mallory-db',
          dryRun: false,
          clusters: [{ name: 'eu-west', manifests: [settings, takeover] }],
        },
        MALLORY,
      );

      expect(res.results).toEqual([
        {
          cluster: 'eu-west',
          status: 'failed',
          objects: [],
          refused: [
            {
              kind: 'StatefulSet',
              namespace: 'databases',
              name: 'orders-mysql',
              reason:
                "exists and belongs to component:default/orders-mysql; only that entity's applies may change it",
            },
          ],
          error: expect.stringMatching(
            /^nothing was applied in eu-west: StatefulSet databases\/orders-mysql exists and belongs to component:default\/orders-mysql/,
          ),
        },
      ]);
      expect(dump('eu-west')).toBe(before);
      expect(
        eu.get('v1', 'ConfigMap', 'databases', 'mallory-settings'),
      ).toBeUndefined();
    });

    it('refuses objects that exist without a stamp, and does so in a dry run too', async () => {
      sim.stores.get('eu-central')!.create({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'hand-made', namespace: 'databases' },
        data: { secret: 'guess-me' },
      });
      const guess = {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'hand-made', namespace: 'databases' },
        data: { secret: 'guess-me' },
      };
      for (const dryRun of [true, false]) {
        const res = await service.apply(
          {
            entityRef: 'component:default/mallory-db',
            dryRun,
            clusters: [{ name: 'eu-central', manifests: [guess] }],
          },
          MALLORY,
        );
        // No unchanged/configured verdict that would tell whether the guess matched.
        expect(res.results[0]).toMatchObject({
          status: 'failed',
          objects: [],
          refused: [
            {
              kind: 'ConfigMap',
              name: 'hand-made',
              reason: expect.stringMatching(
                /^exists and was not created by this product \(no multicluster-statefulsets\/owner-entity annotation\)/,
              ),
            },
          ],
        });
      }
    });

    it("refuses a workload that reads another entity's Secret in a shared namespace", async () => {
      const reader = {
        apiVersion: 'apps/v1',
        kind: 'StatefulSet',
        metadata: { name: 'mallory-db', namespace: 'databases' },
        spec: {
          template: {
            spec: {
              containers: [
                {
                  name: 'db',
                  image: 'busybox',
                  env: [
                    {
                      name: 'STOLEN',
                      valueFrom: {
                        secretKeyRef: {
                          name: 'orders-mysql-credentials',
                          key: 'root-password',
                        },
                      },
                    },
                  ],
                },
              ],
            },
          },
        },
      };
      const res = await service.apply(
        {
          entityRef: 'component:default/mallory-db',
          dryRun: false,
          clusters: [{ name: 'eu-west', manifests: [reader] }],
        },
        MALLORY,
      );
      expect(res.results[0].refused).toEqual([
        {
          kind: 'StatefulSet',
          namespace: 'databases',
          name: 'mallory-db',
          reason:
            'refers to Secret databases/orders-mysql-credentials, which belongs to component:default/orders-mysql; a database reads only its own Secrets, ConfigMaps and claims',
        },
      ]);
      expect(
        sim.stores
          .get('eu-west')!
          .get('apps/v1', 'StatefulSet', 'databases', 'mallory-db'),
      ).toBeUndefined();
    });

    it('refuses a workload that reads an unstamped Secret someone created by hand', async () => {
      const eu = sim.stores.get('eu-west')!;
      eu.create({
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'legacy-admin', namespace: 'databases' },
        stringData: { password: 'hunter2' },
      } as any);
      const reader = {
        apiVersion: 'apps/v1',
        kind: 'StatefulSet',
        metadata: { name: 'mallory-db', namespace: 'databases' },
        spec: {
          template: {
            spec: {
              containers: [{ name: 'db', image: 'busybox' }],
              volumes: [
                { name: 'admin', secret: { secretName: 'legacy-admin' } },
              ],
            },
          },
        },
      };
      const res = await service.apply(
        {
          entityRef: 'component:default/mallory-db',
          dryRun: false,
          clusters: [{ name: 'eu-west', manifests: [reader] }],
        },
        MALLORY,
      );
      expect(res.results[0].refused).toEqual([
        {
          kind: 'StatefulSet',
          namespace: 'databases',
          name: 'mallory-db',
          reason: expect.stringContaining(
            "refers to Secret databases/legacy-admin, which exists without an owner stamp; a database reads only its own Secrets, ConfigMaps and claims. If it is this database's, its owner stamps it: kubectl annotate secret legacy-admin -n databases multicluster-statefulsets/owner-entity=component:default/mallory-db",
          ),
        },
      ]);
      expect(
        eu.get('apps/v1', 'StatefulSet', 'databases', 'mallory-db'),
      ).toBeUndefined();
    });

    it('refuses a namespace stamped for another entity', async () => {
      await service.apply(request(), ANN);
      const cm = {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'mallory-settings', namespace: 'data' },
      };
      const res = await service.apply(
        {
          entityRef: 'component:default/mallory-db',
          dryRun: false,
          clusters: [{ name: 'eu-west', manifests: [cm] }],
        },
        MALLORY,
      );
      expect(res.results[0]).toMatchObject({
        status: 'failed',
        refused: [
          {
            kind: 'Namespace',
            name: 'data',
            reason: `belongs to ${ENTITY_REF}; choose a namespace of this database's own`,
          },
        ],
      });
    });

    it('refuses a re-post by a non-owner, with or without a new owner, and lets the owner re-apply', async () => {
      await service.apply(request(), ANN);
      const stolen = request();
      stolen.catalogInfo = {
        ...stolen.catalogInfo!,
        spec: { ...stolen.catalogInfo!.spec, owner: 'group:default/payments' },
      };
      await expect(service.apply(stolen, MALLORY)).rejects.toMatchObject({
        name: 'NotAllowedError',
        message: `${ENTITY_REF} is owned by group:default/dba; only its owners may apply to it or change its owner to group:default/payments. Ask a member of group:default/dba to run the template, or choose another name`,
      });
      await expect(
        service.apply(request({ dryRun: true }), MALLORY),
      ).rejects.toMatchObject({ name: 'NotAllowedError' });
      expect((await store.get(ENTITY_REF))?.entity.spec?.owner).toBe(
        'group:default/dba',
      );

      const again = await service.apply(request(), ANN);
      expect(again.results.map(r => r.status)).toEqual(['ok', 'ok']);
      expect(again.registered).toBe(true);
    });
  });

  it('refuses to register over a catalog entity it did not create', async () => {
    const catalog = catalogServiceMock({
      entities: [
        {
          apiVersion: 'backstage.io/v1alpha1',
          kind: 'Component',
          metadata: {
            name: 'mysql-db',
            namespace: 'default',
            annotations: {
              'backstage.io/managed-by-location':
                'url:https://git.example/catalog-info.yaml',
            },
          },
          spec: { owner: 'group:default/payments' },
        },
      ],
    });
    const guarded = ApplyService.create({
      connections: ClusterConnection.createAll(
        configured(sim),
        createAuthStrategy(),
      ),
      store,
      logger: mockServices.logger.mock(),
      // Generous: a loaded machine stretches a simulated call past a second.
      timeoutMs: 5000,
      catalog,
    });
    await expect(
      guarded.apply(request(), {
        ...MALLORY,
        credentials: mockCredentials.user('user:default/mallory'),
      }),
    ).rejects.toMatchObject({
      name: 'ConflictError',
      message: `${ENTITY_REF} already exists in the catalog (from url:https://git.example/catalog-info.yaml) and was not created by this template; choose another name`,
    });
    expect(
      sim.stores.get('eu-west')!.get('v1', 'Namespace', undefined, 'data'),
    ).toBeUndefined();
  });
});
