/*
 * Checks the demo world (examples/world) and the demo catalog
 * (examples/databases.yaml) against each other and against the CRDs: what
 * the demo shows must be internally consistent, or the portal would show
 * broken topologies for reasons that have nothing to do with the product.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { validateAgainstCrd } from './crds';
import { applyJsonPatchOp, applyOverriders } from './controllers/federation';
import type { KubeObject } from './controllers/types';
import { eventually, startTestSimulator } from './testing/testWorld';
import { loadWorld } from './world';

const repoRoot = path.join(
  path.dirname(require.resolve('@multicluster/cluster-simulator/package.json')),
  '..',
  '..',
);
const worldFile = path.join(repoRoot, 'examples', 'world', 'world.yaml');
const catalogFile = path.join(repoRoot, 'examples', 'databases.yaml');
const ID = 'backstage.io/kubernetes-id';

interface RawCluster {
  name: string;
  region: string;
  zones: string[];
  token: string;
  federationHost?: string;
  files: string[];
}

function readDocs(file: string): any[] {
  return parseAllDocuments(fs.readFileSync(file, 'utf8'))
    .map(doc => {
      expect(doc.errors).toEqual([]);
      return doc.toJS();
    })
    .filter(Boolean);
}

const rawWorld = parse(fs.readFileSync(worldFile, 'utf8')) as {
  clusters: RawCluster[];
};
const clusters = rawWorld.clusters;
const entities = readDocs(catalogFile);
const entityNames = entities.map(e => e.metadata.name as string);
/**
 * The demo's files hold two kinds of databases: those of the demo catalog
 * (a file per entity, named after it) and those the portal did not create
 * (a Helm chart's, the operators'), which only catalog discovery registers.
 */
const isCatalogued = (file: string) =>
  file === 'namespace.yaml' ||
  entityNames.includes(path.basename(file, path.extname(file)));
/** Files of the platform's own setup (KubeFed's type configs), no database. */
const isPlatform = (file: string) =>
  path.basename(file).startsWith('platform-');
const filesOf = (c: RawCluster, catalogued: boolean) =>
  c.files.filter(f => !isPlatform(f) && isCatalogued(f) === catalogued);
const readFiles = (files: string[]) =>
  files.flatMap(f => readDocs(path.resolve(path.dirname(worldFile), f)));
const objects = new Map<string, KubeObject[]>(
  clusters.map(c => [c.name, readFiles(filesOf(c, true))]),
);
const everyObject = [...objects.entries()].flatMap(([cluster, list]) =>
  list.map(object => ({ cluster, object })),
);
/** Objects of the databases the portal did not create, by cluster. */
const discoveredObjects = clusters.flatMap(c =>
  readFiles(filesOf(c, false)).map(object => ({ cluster: c.name, object })),
);
const regionOf = (cluster: string) =>
  clusters.find(c => c.name === cluster)!.region;

/**
 * Every StatefulSet the demo runs, by cluster: the declared ones plus the
 * copies KubeFed and Karmada place from their templates and overrides.
 */
function placedStatefulSets(): Array<{ cluster: string; sts: KubeObject }> {
  const placed: Array<{ cluster: string; sts: KubeObject }> = [];
  const karmadaApiServer = clusters.find(
    c => c.federationHost === 'karmada',
  )?.name;
  for (const { cluster, object } of everyObject) {
    // The Karmada API server runs none of its templates.
    if (object.kind === 'StatefulSet' && cluster !== karmadaApiServer) {
      placed.push({ cluster, sts: object });
    }
    if (object.kind === 'FederatedStatefulSet') {
      for (const { name } of object.spec.placement.clusters) {
        const sts: KubeObject = {
          apiVersion: 'apps/v1',
          kind: 'StatefulSet',
          metadata: {
            name: object.metadata.name,
            ...structuredClone(object.spec.template.metadata),
          },
          spec: structuredClone(object.spec.template.spec),
        };
        for (const o of object.spec.overrides ?? []) {
          if (o.clusterName === name) {
            for (const e of o.clusterOverrides) {
              applyJsonPatchOp(sts, e.op ?? 'replace', e.path, e.value);
            }
          }
        }
        placed.push({ cluster: name, sts });
      }
    }
    if (object.kind === 'PropagationPolicy') {
      const host = objects.get(cluster)!;
      const templates = host.filter(
        o =>
          o.kind === 'StatefulSet' &&
          object.spec.resourceSelectors.some(
            (s: any) => s.kind === 'StatefulSet' && s.name === o.metadata.name,
          ),
      );
      for (const member of object.spec.placement.clusterAffinity.clusterNames) {
        for (const template of templates) {
          const copy = structuredClone(template);
          for (const op of host.filter(o => o.kind === 'OverridePolicy')) {
            for (const rule of op.spec.overrideRules) {
              if (rule.targetCluster.clusterNames.includes(member)) {
                applyOverriders(copy, rule.overriders);
              }
            }
          }
          placed.push({ cluster: member, sts: copy });
        }
      }
    }
  }
  return placed;
}

/** The ordinal range [start, end) each cluster runs of each database. */
function ordinalRanges() {
  return placedStatefulSets().map(({ cluster, sts }) => ({
    database: sts.metadata.labels![ID],
    cluster,
    workload: sts.metadata.name,
    start: (sts.spec.ordinals?.start ?? 0) as number,
    end: ((sts.spec.ordinals?.start ?? 0) + (sts.spec.replicas ?? 1)) as number,
  }));
}

describe('the demo world', () => {
  it('is accepted by the simulator and has the agreed clusters', () => {
    const world = loadWorld(worldFile);
    expect(
      world.clusters.map(c => ({
        name: c.name,
        region: c.region,
        zones: c.zones,
        token: c.token,
        federationHost: c.federationHost,
      })),
    ).toEqual([
      {
        name: 'eu-central',
        region: 'eu-central-1',
        zones: ['eu-central-1a', 'eu-central-1b'],
        token: 'demo-token-eu-central',
        federationHost: undefined,
      },
      {
        name: 'eu-west',
        region: 'eu-west-1',
        zones: ['eu-west-1a', 'eu-west-1b'],
        token: 'demo-token-eu-west',
        federationHost: undefined,
      },
      {
        name: 'us-east',
        region: 'us-east-1',
        zones: ['us-east-1a', 'us-east-1b'],
        token: 'demo-token-us-east',
        federationHost: 'kubefed',
      },
      {
        name: 'karmada',
        region: 'eu-central-1',
        zones: ['eu-central-1a'],
        token: 'demo-token-karmada',
        federationHost: 'karmada',
      },
    ]);
    // world.yaml itself holds the access rules: RBAC on, Roles and bindings.
    const rbac = (o: { object: KubeObject }) =>
      o.object.apiVersion.startsWith('rbac.authorization.k8s.io/');
    const all = world.clusters.flatMap(c => c.objects);
    const platformObjects = readFiles(
      clusters.flatMap(c => c.files.filter(isPlatform)),
    );
    expect(all.filter(o => !rbac(o))).toHaveLength(
      everyObject.length + discoveredObjects.length + platformObjects.length,
    );
    for (const c of world.clusters) {
      expect([c.name, c.rbac, c.objects.filter(rbac).length]).toEqual([
        c.name,
        true,
        6,
      ]);
    }
  });

  it('runs, in the simulator, the StatefulSets its federation hosts place', async () => {
    const sim = await startTestSimulator(loadWorld(worldFile));
    try {
      // The Karmada API server holds templates and runs none of them.
      const members = [...sim.stores].filter(
        ([cluster]) => cluster !== 'karmada',
      );
      const running = () =>
        members
          .flatMap(([cluster, store]) =>
            store
              .list('apps/v1', 'StatefulSet', 'databases')
              .filter(sts =>
                entityNames.includes(sts.metadata.labels?.[ID] ?? ''),
              )
              .map(sts => ({
                cluster,
                workload: sts.metadata.name,
                start: (sts.spec.ordinals?.start ?? 0) as number,
                replicas: sts.spec.replicas as number,
              })),
          )
          .sort((a, b) =>
            `${a.cluster}/${a.workload}`.localeCompare(
              `${b.cluster}/${b.workload}`,
            ),
          );
      const expected = ordinalRanges()
        .map(r => ({
          cluster: r.cluster,
          workload: r.workload,
          start: r.start,
          replicas: r.end - r.start,
        }))
        .sort((a, b) =>
          `${a.cluster}/${a.workload}`.localeCompare(
            `${b.cluster}/${b.workload}`,
          ),
        );
      await eventually(
        () => JSON.stringify(running()) === JSON.stringify(expected),
        10000,
      ).catch(() => undefined);
      expect(running()).toEqual(expected);
      const karmada = sim.stores.get('karmada')!;
      expect(
        karmada.get('apps/v1', 'StatefulSet', 'databases', 'catalog-karmada'),
      ).toBeDefined();
      expect(karmada.list('v1', 'Pod', 'databases')).toEqual([]);
    } finally {
      await sim.stop();
    }
  }, 30_000);

  it("exports each replica's lag under its engine's exporter series, CloudNativePG replica clusters included", async () => {
    const sim = await startTestSimulator(loadWorld(worldFile));
    try {
      const west = sim.clusters.find(c => c.name === 'eu-west')!;
      // A replica's lag shows once its engine answers (its pods run).
      const series = (text: string) =>
        [
          ['cnpg_pg_replication_lag', 'billing-postgres'],
          ['mysql_slave_status_seconds_behind_master', 'orders-mysql'],
        ]
          .map(([name, sts]) =>
            new RegExp(
              `^${name}\\{namespace="databases",statefulset="${sts}",source="eu-central",cluster="eu-west"\\} [\\d.]+$`,
              'm',
            ).exec(text),
          )
          .map(m => m?.[0].replace(/ [\d.]+$/, ''));
      let text = '';
      await eventually(async () => {
        text = await (await fetch(`${west.url}/metrics`)).text();
        return series(text).every(Boolean);
      }, 15000).catch(() => undefined);
      expect(series(text)).toEqual([
        'cnpg_pg_replication_lag{namespace="databases",statefulset="billing-postgres",source="eu-central",cluster="eu-west"}',
        'mysql_slave_status_seconds_behind_master{namespace="databases",statefulset="orders-mysql",source="eu-central",cluster="eu-west"}',
      ]);
    } finally {
      await sim.stop();
    }
  }, 30_000);

  it('holds well-formed objects, CRD kinds valid against their CRDs', () => {
    for (const { cluster, object } of [...everyObject, ...discoveredObjects]) {
      const where = `${cluster}: ${object.kind} ${object.metadata?.name}`;
      expect([where, typeof object.apiVersion]).toEqual([where, 'string']);
      expect([where, typeof object.kind]).toEqual([where, 'string']);
      expect([where, typeof object.metadata?.name]).toEqual([where, 'string']);
      expect([where, validateAgainstCrd(object)]).toEqual([where, []]);
    }
  });

  it('puts every database object in the databases namespace of every cluster', () => {
    const clusterScoped = ['Namespace', 'PersistentVolume'];
    for (const [cluster, list] of objects) {
      expect(list[0]).toMatchObject({
        kind: 'Namespace',
        metadata: { name: 'databases' },
      });
      for (const o of list.filter(x => !clusterScoped.includes(x.kind))) {
        expect([
          cluster,
          o.kind,
          o.metadata.name,
          o.metadata.namespace,
        ]).toEqual([cluster, o.kind, o.metadata.name, 'databases']);
      }
    }
  });

  it('labels every object with the kubernetes-id of a catalog entity', () => {
    const seen = new Map<string, Set<string>>();
    const unlabelledPods: string[] = [];
    for (const { cluster, object } of everyObject) {
      if (object.kind === 'Namespace') {
        continue;
      }
      const id = object.metadata.labels?.[ID];
      expect([object.kind, object.metadata.name, entityNames]).toEqual([
        object.kind,
        object.metadata.name,
        expect.arrayContaining([id]),
      ]);
      if (!seen.has(id!)) {
        seen.set(id!, new Set());
      }
      seen.get(id!)!.add(cluster);
      const podLabels =
        object.kind === 'StatefulSet'
          ? object.spec.template.metadata.labels
          : object.spec?.template?.spec?.template?.metadata?.labels;
      if (podLabels && podLabels[ID] !== id) {
        unlabelledPods.push(
          `${cluster}: ${object.kind} ${object.metadata.name}`,
        );
      }
    }
    expect(unlabelledPods).toEqual([]);
    // Every entity has objects somewhere.
    expect([...seen.keys()].sort()).toEqual([...entityNames].sort());
  });

  it('gives each cluster its own ordinal range of a database', () => {
    const ranges = ordinalRanges();
    const overlaps = ranges.flatMap(a =>
      ranges
        .filter(
          b =>
            a.database === b.database &&
            a.cluster !== b.cluster &&
            a.start < b.end &&
            b.start < a.end,
        )
        .map(b => `${a.database}: ${a.cluster} and ${b.cluster}`),
    );
    expect(overlaps).toEqual([]);
    // Placed copies are included: KubeFed and Karmada members get theirs.
    expect(ranges).toContainEqual(
      expect.objectContaining({
        database: 'inventory-kubefed',
        cluster: 'eu-west',
        start: 10,
      }),
    );
    expect(ranges).toContainEqual(
      expect.objectContaining({
        database: 'catalog-karmada',
        cluster: 'eu-west',
        start: 10,
      }),
    );
  });

  it("holds databases the portal did not create in two clusters or more, without the product's annotations", () => {
    const byDatabase = new Map<string, Set<string>>();
    for (const c of clusters) {
      for (const f of filesOf(c, false)) {
        const name = path.basename(f, path.extname(f));
        if (!byDatabase.has(name)) byDatabase.set(name, new Set());
        byDatabase.get(name)!.add(c.name);
      }
    }
    expect([...byDatabase.keys()].sort()).toEqual(
      expect.arrayContaining(['clickstream-kafka', 'logs-elasticsearch']),
    );
    for (const [name, where] of byDatabase) {
      expect([name, where.size >= 2]).toEqual([name, true]);
    }
    const stamped = discoveredObjects.filter(({ object }) =>
      [
        ...Object.keys(object.metadata.annotations ?? {}),
        ...Object.keys(object.metadata.labels ?? {}),
      ].some(k => k.startsWith('multicluster-statefulsets/')),
    );
    expect(stamped.map(o => `${o.cluster}: ${o.object.metadata.name}`)).toEqual(
      [],
    );
  });

  it('splits routed traffic to 100 over subsets that name clusters', () => {
    const services = everyObject.filter(
      o => o.object.kind === 'VirtualService',
    );
    expect(services.length).toBeGreaterThan(0);
    for (const { cluster, object } of services) {
      const rule = objects
        .get(cluster)!
        .find(
          o =>
            o.kind === 'DestinationRule' &&
            o.metadata.name === object.metadata.name,
        );
      expect(rule).toBeDefined();
      const subsetCluster = new Map<string, string>(
        rule!.spec.subsets.map((s: any) => [
          s.name,
          s.labels['topology.istio.io/cluster'],
        ]),
      );
      for (const route of [
        ...(object.spec.tcp ?? []),
        ...(object.spec.http ?? []),
      ]) {
        const total = route.route.reduce(
          (sum: number, r: any) => sum + (r.weight ?? 0),
          0,
        );
        expect([object.metadata.name, total]).toEqual([
          object.metadata.name,
          100,
        ]);
        for (const r of route.route) {
          expect(clusters.map(c => c.name)).toContain(
            subsetCluster.get(r.destination.subset),
          );
        }
      }
    }
  });

  it('keeps one active side per active-passive database, passive sides naming their source', () => {
    const problems: string[] = [];
    for (const entity of entities) {
      const a = entity.metadata.annotations;
      const id = entity.metadata.name;
      const workloads = [
        ...everyObject.filter(
          ({ object }) =>
            object.kind === 'Cluster' && object.metadata.labels?.[ID] === id,
        ),
        ...placedStatefulSets()
          .map(({ cluster, sts }) => ({ cluster, object: sts }))
          .filter(
            ({ object }) =>
              object.metadata.labels?.[ID] === id &&
              object.metadata.annotations?.['multicluster-statefulsets/role'],
          ),
      ];
      const roles = workloads.map(
        w => w.object.metadata.annotations?.['multicluster-statefulsets/role'],
      );
      const activeSides = roles.filter(r => r === 'active').length;
      const expectedActive =
        a['multicluster-statefulsets/strategy'] === 'active-passive'
          ? 1
          : roles.length;
      if (roles.length < 2 || activeSides !== expectedActive) {
        problems.push(`${id}: roles ${roles.join(', ')}`);
      }
      for (const { cluster, object } of workloads) {
        const ann = object.metadata.annotations ?? {};
        const source = ann['multicluster-statefulsets/replication-source'];
        if (
          ann['multicluster-statefulsets/role'] === 'passive' &&
          !clusters.some(c => c.name === source && c.name !== cluster)
        ) {
          problems.push(`${id} in ${cluster}: replication source ${source}`);
        }
      }
    }
    expect(problems).toEqual([]);
    const cnpg = everyObject.filter(o => o.object.kind === 'Cluster');
    expect(
      cnpg.filter(
        ({ object }) =>
          object.spec.replica.primary === object.spec.replica.self,
      ),
    ).toHaveLength(1);
  });
});

describe('the demo catalog', () => {
  it('describes each database for the plugin', () => {
    expect(entityNames.sort()).toEqual([
      'billing-postgres',
      'catalog-karmada',
      'events-kafka',
      'inventory-kubefed',
      'media-shared',
      'orders-mysql',
      'reports-mysql',
      'search-elasticsearch',
      'sessions-mongodb',
    ]);
    for (const entity of entities) {
      const a = entity.metadata.annotations;
      expect(entity).toMatchObject({
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Component',
        spec: {
          type: 'database',
          lifecycle: 'production',
          system: 'data-platform',
          owner: 'group:default/database-platform',
        },
      });
      expect(a[ID]).toBe(entity.metadata.name);
      expect(a['backstage.io/kubernetes-namespace']).toBe('databases');
      expect([
        'mysql',
        'postgresql',
        'mongodb',
        'kafka',
        'elasticsearch',
        'generic',
      ]).toContain(a['multicluster-statefulsets/engine']);
      expect(['active-passive', 'active-active']).toContain(
        a['multicluster-statefulsets/strategy'],
      );
      expect(
        Number(a['multicluster-statefulsets/max-failover-lag']),
      ).toBeGreaterThan(0);
      expect(typeof entity.metadata.description).toBe('string');
    }
  });

  it('points traffic annotations at VirtualServices and keeps data where allowed', () => {
    const problems: string[] = [];
    for (const entity of entities) {
      const a = entity.metadata.annotations;
      const traffic = a['multicluster-statefulsets/traffic'];
      if (traffic) {
        const [ns, name] = traffic.split('/');
        const found = everyObject.filter(
          ({ object }) =>
            object.kind === 'VirtualService' &&
            object.metadata.namespace === ns &&
            object.metadata.name === name,
        );
        if (found.length === 0) {
          problems.push(
            `${entity.metadata.name}: no VirtualService ${traffic}`,
          );
        }
      }
      const allowed = a['multicluster-statefulsets/allowed-regions'];
      if (allowed) {
        const patterns = allowed
          .split(',')
          .map((p: string) => new RegExp(`^${p.trim().replace(/\*/g, '.*')}$`));
        for (const { cluster, object } of everyObject) {
          const region = regionOf(cluster);
          if (
            object.metadata.labels?.[ID] === entity.metadata.name &&
            !patterns.some((p: RegExp) => p.test(region))
          ) {
            problems.push(`${entity.metadata.name}: lives in ${region}`);
          }
        }
      }
    }
    expect(problems).toEqual([]);
  });
});
