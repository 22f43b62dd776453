import fs from 'node:fs';
import path from 'node:path';
import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { ANNOTATION_KUBERNETES_AUTH_PROVIDER } from '@backstage/plugin-kubernetes-common';
import {
  loadWorld,
  RunningSimulator,
  startSimulator,
} from '@multicluster/cluster-simulator';
import { parse, parseAllDocuments } from 'yaml';
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
    info: { name: c.name, zones: c.zones, region: c.region },
  }));
}

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

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
      clusters: configured(sim),
      strategy: createAuthStrategy(),
      store,
      logger: mockServices.logger.mock(),
      timeoutMs: 1000,
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
    const res = await service.apply(req, { actor: 'user:default/ann' });
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
      { actor: 'user:default/ann' },
    );

    expect(res.results.map(r => [r.cluster, r.status, r.error])).toEqual(
      clusters.map(c => [c.name, 'ok', undefined]),
    );
    expect(res.registered).toBe(true);
  });

  it('reports every object unchanged when run again', async () => {
    await service.apply(request(), { actor: 'user:default/ann' });
    const again = await service.apply(request(), { actor: 'user:default/ann' });

    const actions = again.results.flatMap(r => r.objects.map(o => o.action));
    expect(actions.length).toBe(
      request().clusters.reduce((n, c) => n + c.manifests.length, 0),
    );
    expect(new Set(actions)).toEqual(new Set(['unchanged']));
  });

  it('changes nothing in a dry run', async () => {
    const dry = await service.apply(request({ dryRun: true }), {
      actor: 'user:default/ann',
    });
    expect(dry.results.every(r => r.status === 'ok')).toBe(true);
    expect(dry.registered).toBe(false);
    expect(await store.get(ENTITY_REF)).toBeUndefined();
    for (const c of sim.clusters) {
      const s = sim.stores.get(c.name)!;
      expect(s.get('v1', 'Namespace', undefined, 'data')).toBeUndefined();
      expect(s.get('v1', 'Service', 'data', 'mysql-db')).toBeUndefined();
    }

    // Against existing objects the dry run goes through the API server.
    await service.apply(request(), { actor: 'user:default/ann' });
    const eu = sim.stores.get('eu-central')!;
    const before = eu.get('v1', 'Service', 'data', 'mysql-db')!;
    const changed = request({ dryRun: true });
    const svc = changed.clusters[0].manifests.find(
      m => m.kind === 'Service' && m.metadata.name === 'mysql-db',
    )!;
    svc.metadata.labels = { ...(svc.metadata.labels as object), tier: 'gold' };
    const res = await service.apply(changed, { actor: 'user:default/ann' });

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

    const res = await service.apply(request(), { actor: 'user:default/ann' });

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

    const res = await service.apply(request(), { actor: 'user:default/ann' });

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
});
