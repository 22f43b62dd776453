/*
 * The RBAC a platform team applies for the portal (examples/rbac/*.yaml),
 * loaded as written into simulated clusters with RBAC on and checked with
 * real HTTP requests against what the backend sends:
 *
 * - reader.yaml: exactly get, list and watch on the kinds the watch cache
 *   reads (read from plugins/statefulsets-backend/src/cluster/kinds.ts), all
 *   of them usable, nothing else;
 * - writer.yaml: exactly the requests of a failover (src/failover) and of an
 *   apply of the kinds the template generates (src/apply/manifestRules.ts,
 *   src/apply/applyToCluster.ts), all of them usable in `databases`, none
 *   elsewhere;
 * - writer-impersonation.yaml: the ServiceAccount may only impersonate; as a
 *   member of `dbas` the same requests succeed, as anyone else they do not.
 *
 * The ServiceAccounts' tokens are world users named the way kube-apiserver
 * names a ServiceAccount token's user (`system:serviceaccount:<ns>:<name>`,
 * groups `system:serviceaccounts` and `system:serviceaccounts:<ns>`), so the
 * bindings' ServiceAccount subjects match exactly as written.
 *
 * Not seen by the simulator: kube-apiserver also authorizes `create` when a
 * server-side apply creates an object; the simulator checks `patch` only, so
 * the `create` grants are exercised with a POST of the same object.
 */
import fs from 'node:fs';
import path from 'node:path';
import {
  AppsV1Api,
  KubeConfig,
  V1StatefulSet,
  makeInformer,
} from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { goldenCases, goldenObjects } from './__testUtils__/goldenCases';
import { packageRoot } from './packageRoot';
import type { RunningSimulator, SimulatedCluster } from './simulator';
import { eventually, startTestSimulator } from './testing/testWorld';
import { OPERATORS } from './world';

jest.setTimeout(60000);

const repoRoot = path.join(packageRoot(), '..', '..');
const RBAC_DIR = path.join(repoRoot, 'examples', 'rbac');
const WORLD_DIR = path.join(repoRoot, 'examples', 'world');
const BACKEND_SRC = path.join(
  repoRoot,
  'plugins',
  'statefulsets-backend',
  'src',
);
const NS = 'databases';
const OTHER_NS = 'other';
const SA_GROUPS = [
  'system:serviceaccounts',
  'system:serviceaccounts:backstage',
];
const serviceAccount = (name: string) =>
  `system:serviceaccount:backstage:${name}`;

function readDocs(file: string): any[] {
  return parseAllDocuments(fs.readFileSync(file, 'utf8'))
    .map(doc => {
      expect(doc.errors).toEqual([]);
      return doc.toJS();
    })
    .filter(Boolean);
}

const rbacFile = (name: string) => path.join(RBAC_DIR, name);
const readerDocs = readDocs(rbacFile('reader.yaml'));
const writerDocs = readDocs(rbacFile('writer.yaml'));
const impersonationDocs = readDocs(rbacFile('writer-impersonation.yaml'));

/** A slice of a source file between a marker and the end of its array. */
function arraySource(file: string, marker: string): string {
  const text = fs.readFileSync(path.join(BACKEND_SRC, file), 'utf8');
  const start = text.indexOf(marker);
  expect(start).toBeGreaterThanOrEqual(0);
  return text.slice(start, text.indexOf('\n];', start));
}

interface WatchedKind {
  group: string;
  versions: string[];
  plural: string;
  clusterScoped: boolean;
}

/** The kinds the backend's watch cache reads, as `KINDS` declares them. */
function watchedKinds(): WatchedKind[] {
  const source = arraySource('cluster/kinds.ts', 'export const KINDS');
  const kinds = [
    ...source.matchAll(
      /group: '([^']*)',\s*versions: \[([^\]]*)\],\s*plural: '([^']+)',\s*clusterScoped: (true|false)/g,
    ),
  ].map(m => ({
    group: m[1],
    versions: [...m[2].matchAll(/'([^']+)'/g)].map(v => v[1]),
    plural: m[3],
    clusterScoped: m[4] === 'true',
  }));
  // Every entry was understood, or the declaration changed shape.
  expect(kinds.length).toBe(source.match(/\bkey: '/g)?.length);
  return kinds;
}

interface AcceptedKind {
  apiVersion: string;
  kind: string;
}

/** The kinds `POST /apply` accepts, as `ACCEPTED_KINDS` declares them. */
function acceptedKinds(): AcceptedKind[] {
  const source = arraySource(
    'apply/manifestRules.ts',
    'export const ACCEPTED_KINDS',
  );
  const kinds = [
    ...source.matchAll(
      /apiVersion: '([^']+)',\s*kind: '([^']+)',\s*namespaced: (true|false)/g,
    ),
  ].map(m => ({ apiVersion: m[1], kind: m[2] }));
  expect(kinds.length).toBe(source.match(/\bapiVersion: '/g)?.length);
  return kinds;
}

const groupOf = (apiVersion: string) =>
  apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
const apiBase = (apiVersion: string) =>
  apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;

/**
 * One object of each kind the demo world or the template's output holds
 * (what the template generates), to apply copies of and to fail over.
 */
function demoSamples(): Map<string, any> {
  const samples = new Map<string, any>();
  const dirs = fs
    .readdirSync(WORLD_DIR, { withFileTypes: true })
    .filter(d => d.isDirectory())
    .map(d => d.name)
    .sort();
  for (const dir of dirs) {
    const files = fs
      .readdirSync(path.join(WORLD_DIR, dir))
      .filter(f => f.endsWith('.yaml'))
      .sort();
    for (const file of files) {
      for (const doc of readDocs(path.join(WORLD_DIR, dir, file))) {
        const key = `${doc.apiVersion}/${doc.kind}`;
        if (!samples.has(key)) samples.set(key, doc);
      }
    }
  }
  // Kinds only some engines generate (Kafka's MirrorMaker Deployment,
  // Elasticsearch's set-up Job) come from the template's golden output.
  for (const id of goldenCases()) {
    for (const { obj } of goldenObjects(id)) {
      const key = `${obj.apiVersion}/${obj.kind}`;
      // Kustomizations are kustomize's files and the Component the
      // catalog's: neither is an object of the clusters.
      const clusterObject =
        obj.metadata && !obj.apiVersion.startsWith('backstage.io/');
      if (clusterObject && !samples.has(key)) samples.set(key, obj);
    }
  }
  return samples;
}

const samples = demoSamples();
function sample(apiVersion: string, kind: string): any {
  const s = samples.get(`${apiVersion}/${kind}`);
  if (!s) throw new Error(`the demo world holds no ${kind} (${apiVersion})`);
  return structuredClone(s);
}

/** Objects both clusters start with: the samples, and a StatefulSet elsewhere. */
function baseObjects(): any[] {
  const sts = sample('apps/v1', 'StatefulSet');
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: OTHER_NS } },
    { ...sts, metadata: { ...sts.metadata, namespace: OTHER_NS } },
    ...[...samples.values()].map(o => structuredClone(o)),
  ];
}

const READER_TOKEN = 'backstage-reader-token';
const WRITER_TOKEN = 'backstage-writer-token';

function world() {
  const writer = {
    token: WRITER_TOKEN,
    user: serviceAccount('backstage-writer'),
    groups: SA_GROUPS,
  };
  return {
    clusters: [
      {
        name: 'direct',
        region: 'eu-central-1',
        rbac: true,
        operators: [...OPERATORS],
        users: [
          {
            token: READER_TOKEN,
            user: serviceAccount('backstage-reader'),
            groups: SA_GROUPS,
          },
          writer,
        ],
        objects: [...baseObjects(), ...readerDocs, ...writerDocs],
      },
      {
        name: 'impersonating',
        region: 'eu-west-1',
        rbac: true,
        operators: [...OPERATORS],
        users: [writer],
        objects: [...baseObjects(), ...impersonationDocs],
      },
    ],
  };
}

type HeaderList = [string, string][];

async function send(
  cluster: SimulatedCluster,
  token: string,
  method: string,
  urlPath: string,
  options: { body?: unknown; contentType?: string; headers?: HeaderList } = {},
): Promise<{ status: number; body: any }> {
  const headers = new Headers({ Authorization: `Bearer ${token}` });
  if (options.body !== undefined) {
    headers.set('Content-Type', options.contentType ?? 'application/json');
  }
  for (const [k, v] of options.headers ?? []) headers.append(k, v);
  const res = await fetch(`${cluster.url}${urlPath}`, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await res.text();
  let body: any = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON; keep the text for the failure message
  }
  return { status: res.status, body };
}

/** The status a watch is answered with; the stream is closed at once. */
async function watchStatus(
  cluster: SimulatedCluster,
  token: string,
  urlPath: string,
): Promise<number> {
  const controller = new AbortController();
  const res = await fetch(
    `${cluster.url}${urlPath}${urlPath.includes('?') ? '&' : '?'}watch=1`,
    {
      headers: { Authorization: `Bearer ${token}` },
      signal: controller.signal,
    },
  );
  controller.abort();
  await res.body?.cancel().catch(() => undefined);
  return res.status;
}

/** One permission: API group, resource, verb. */
type Grant = string;
const grant = (group: string, resource: string, verb: string): Grant =>
  `${group || 'core'} ${resource} ${verb}`;

/** Everything the RBAC objects of a file grant, as sorted grants. */
function grantsOf(docs: any[], kinds: string[]): Grant[] {
  const out = new Set<Grant>();
  for (const doc of docs.filter(d => kinds.includes(d.kind))) {
    for (const rule of doc.rules ?? []) {
      expect(rule.resourceNames).toBeUndefined();
      expect(rule.nonResourceURLs).toBeUndefined();
      for (const group of rule.apiGroups)
        for (const resource of rule.resources)
          for (const verb of rule.verbs) out.add(grant(group, resource, verb));
    }
  }
  return [...out].sort();
}

/** A request the backend sends, the status it gets when allowed, and the grant it needs. */
interface BackendRequest {
  what: string;
  method: string;
  path: string;
  body?: unknown;
  contentType?: string;
  allowed: number;
  /** The error message an allowed request still gets (past RBAC), if any. */
  allowedMessage?: string;
  needs: Grant;
}

interface Discovered {
  plural: string;
  namespaced: boolean;
}

/** How the cluster serves each accepted kind (the backend asks discovery too). */
async function discover(
  cluster: SimulatedCluster,
  kinds: AcceptedKind[],
): Promise<Map<string, Discovered>> {
  const out = new Map<string, Discovered>();
  for (const k of kinds) {
    const list = await send(
      cluster,
      WRITER_TOKEN,
      'GET',
      apiBase(k.apiVersion),
    );
    expect(list.status).toBe(200);
    const r = list.body.resources.find(
      (x: any) => x.kind === k.kind && !x.name.includes('/'),
    );
    expect(r).toBeDefined();
    out.set(`${k.apiVersion}/${k.kind}`, {
      plural: r.name,
      namespaced: r.namespaced,
    });
  }
  return out;
}

function stripServerFields(o: any, name: string, namespace?: string): any {
  const {
    status: _status,
    metadata: {
      resourceVersion: _rv,
      uid: _uid,
      creationTimestamp: _ct,
      managedFields: _mf,
      generation: _g,
      ...metadata
    },
    ...rest
  } = o;
  return {
    ...rest,
    metadata: { ...metadata, name, ...(namespace ? { namespace } : {}) },
  };
}

/**
 * Every request of a failover and of an apply, in the order they can run,
 * for objects in `ns` (cluster-scoped kinds only when `ns` is the
 * databases' namespace).
 */
function backendRequests(
  ns: string,
  served: Map<string, Discovered>,
): BackendRequest[] {
  const sts = sample('apps/v1', 'StatefulSet').metadata.name;
  const cnpg = sample('postgresql.cnpg.io/v1', 'Cluster').metadata.name;
  const vs = sample('networking.istio.io/v1', 'VirtualService').metadata.name;
  const secret = sample('v1', 'Secret').metadata.name;
  const stamp = {
    metadata: { annotations: { 'example.com/rbac-check': ns } },
  };
  const merge = 'application/merge-patch+json';
  const istio = '/apis/networking.istio.io/v1/namespaces';
  const mcs = '/apis/multicluster.x-k8s.io/v1alpha1/namespaces';
  const exportName = 'rbac-check-export';
  const requests: BackendRequest[] = [
    // GenericStatefulSetProvider: read (stamp, replicas), then merge patches
    {
      what: 'read a StatefulSet',
      method: 'GET',
      path: `/apis/apps/v1/namespaces/${ns}/statefulsets/${sts}`,
      allowed: 200,
      needs: grant('apps', 'statefulsets', 'get'),
    },
    {
      what: 'fence / promote a StatefulSet',
      method: 'PATCH',
      path: `/apis/apps/v1/namespaces/${ns}/statefulsets/${sts}`,
      body: stamp,
      contentType: merge,
      allowed: 200,
      needs: grant('apps', 'statefulsets', 'patch'),
    },
    // MySqlGtidProvider and PostgresStreamingProvider: engine commands in
    // the primary pod. kube-apiserver authorizes the WebSocket upgrade as
    // create on pods/exec; past RBAC, the simulator wants that upgrade.
    {
      what: 'run an engine command in a pod',
      method: 'POST',
      path: `/api/v1/namespaces/${ns}/pods/${sts}-0/exec?command=true&stdout=true`,
      allowed: 400,
      allowedMessage:
        'Upgrade request required: pods/exec is served over WebSocket (subprotocol v5.channel.k8s.io or v4.channel.k8s.io); SPDY is not supported by the simulator',
      needs: grant('', 'pods/exec', 'create'),
    },
    // CloudNativePgProvider
    {
      what: 'read a CloudNativePG Cluster',
      method: 'GET',
      path: `/apis/postgresql.cnpg.io/v1/namespaces/${ns}/clusters/${cnpg}`,
      allowed: 200,
      needs: grant('postgresql.cnpg.io', 'clusters', 'get'),
    },
    {
      what: 'demote / promote a CloudNativePG Cluster',
      method: 'PATCH',
      path: `/apis/postgresql.cnpg.io/v1/namespaces/${ns}/clusters/${cnpg}`,
      body: stamp,
      contentType: merge,
      allowed: 200,
      needs: grant('postgresql.cnpg.io', 'clusters', 'patch'),
    },
    // IstioTrafficRouter (and the engine's GitOps markers)
    {
      what: 'read the VirtualService',
      method: 'GET',
      path: `${istio}/${ns}/virtualservices/${vs}`,
      allowed: 200,
      needs: grant('networking.istio.io', 'virtualservices', 'get'),
    },
    {
      what: 'list the DestinationRules',
      method: 'GET',
      path: `${istio}/${ns}/destinationrules`,
      allowed: 200,
      needs: grant('networking.istio.io', 'destinationrules', 'list'),
    },
    {
      what: 'move the traffic weights',
      method: 'PATCH',
      path: `${istio}/${ns}/virtualservices/${vs}`,
      body: stamp,
      contentType: merge,
      allowed: 200,
      needs: grant('networking.istio.io', 'virtualservices', 'patch'),
    },
    // ServiceExportTrafficRouter
    {
      what: 'list the ServiceExports',
      method: 'GET',
      path: `${mcs}/${ns}/serviceexports`,
      allowed: 200,
      needs: grant('multicluster.x-k8s.io', 'serviceexports', 'list'),
    },
    {
      what: 'export from the target',
      method: 'POST',
      path: `${mcs}/${ns}/serviceexports`,
      body: {
        apiVersion: 'multicluster.x-k8s.io/v1alpha1',
        kind: 'ServiceExport',
        metadata: { name: exportName, namespace: ns },
      },
      allowed: 201,
      needs: grant('multicluster.x-k8s.io', 'serviceexports', 'create'),
    },
    {
      what: 'stop exporting from the source',
      method: 'DELETE',
      path: `${mcs}/${ns}/serviceexports/${exportName}`,
      allowed: 200,
      needs: grant('multicluster.x-k8s.io', 'serviceexports', 'delete'),
    },
    // applyToCluster: the namespace's stamp, then the referenced Secrets' stamps
    {
      what: "read the namespace's owner stamp",
      method: 'GET',
      path: `/api/v1/namespaces/${ns}`,
      allowed: 200,
      needs: grant('', 'namespaces', 'get'),
    },
    {
      what: "read a referenced Secret's owner stamp",
      method: 'GET',
      path: `/api/v1/namespaces/${ns}/secrets/${secret}`,
      allowed: 200,
      needs: grant('', 'secrets', 'get'),
    },
  ];
  // applyToCluster, per object: read it, then server-side apply it (which
  // kube-apiserver authorizes as patch, and as create for a new object).
  for (const k of acceptedKinds()) {
    if (k.kind === 'Namespace') continue; // only read: it must exist (above)
    const s = served.get(`${k.apiVersion}/${k.kind}`)!;
    if (!s.namespaced && ns !== NS) continue;
    const group = groupOf(k.apiVersion);
    const name = `${sample(k.apiVersion, k.kind).metadata.name}-copy`;
    const collection = `${apiBase(k.apiVersion)}${
      s.namespaced ? `/namespaces/${ns}` : ''
    }/${s.plural}`;
    const body = stripServerFields(
      sample(k.apiVersion, k.kind),
      name,
      s.namespaced ? ns : undefined,
    );
    requests.push(
      {
        what: `apply: read ${k.kind} ${name}`,
        method: 'GET',
        path: `${collection}/${name}`,
        allowed: 404,
        needs: grant(group, s.plural, 'get'),
      },
      {
        what: `apply: create ${k.kind} ${name}`,
        method: 'POST',
        path: collection,
        body,
        allowed: 201,
        needs: grant(group, s.plural, 'create'),
      },
      {
        what: `apply: server-side apply ${k.kind} ${name}`,
        method: 'PATCH',
        path: `${collection}/${name}?fieldManager=multicluster-statefulsets&force=true`,
        body,
        contentType: 'application/apply-patch+yaml',
        allowed: 200,
        needs: grant(group, s.plural, 'patch'),
      },
    );
  }
  return requests;
}

async function run(
  cluster: SimulatedCluster,
  requests: BackendRequest[],
  headers?: HeaderList,
): Promise<string[]> {
  const outcomes: string[] = [];
  for (const r of requests) {
    const res = await send(cluster, WRITER_TOKEN, r.method, r.path, {
      body: r.body,
      contentType: r.contentType,
      headers,
    });
    outcomes.push(
      `${r.what}: ${res.status}${
        res.status >= 400 && res.status !== 404
          ? ` ${res.body?.message ?? ''}`
          : ''
      }`,
    );
  }
  return outcomes;
}

const expected = (requests: BackendRequest[]) =>
  requests.map(
    r =>
      `${r.what}: ${r.allowed}${
        r.allowedMessage ? ` ${r.allowedMessage}` : ''
      }`,
  );
const statusesOf = (outcomes: string[]) =>
  outcomes.map(o => o.replace(/^(.*: \d{3}).*$/, '$1'));
const forbidden = (requests: BackendRequest[]) =>
  requests.map(r => `${r.what}: 403`);

let sim: RunningSimulator;
let direct: SimulatedCluster;
let impersonating: SimulatedCluster;
let served: Map<string, Discovered>;

beforeAll(async () => {
  sim = await startTestSimulator(world());
  direct = sim.clusters.find(c => c.name === 'direct')!;
  impersonating = sim.clusters.find(c => c.name === 'impersonating')!;
  served = await discover(direct, acceptedKinds());
});

afterAll(() => sim?.stop());

describe('every file', () => {
  it.each(['reader.yaml', 'writer.yaml', 'writer-impersonation.yaml'])(
    '%s says what it is for, how to apply it and how to get a token',
    file => {
      const text = fs.readFileSync(rbacFile(file), 'utf8');
      const header = text.slice(0, text.indexOf('\napiVersion:'));
      expect(header.split('\n').every(l => l.startsWith('#'))).toBe(true);
      expect(header).toContain(`kubectl apply -f examples/rbac/${file}`);
      expect(header).toMatch(/kubectl create token backstage-\w+ -n backstage/);
      expect(header).toContain('kubernetes.io/service-account-token');
    },
  );
});

describe('reader.yaml', () => {
  const kinds = watchedKinds();

  it('grants get, list and watch on exactly the kinds the watch cache reads', () => {
    expect(readerDocs.map(d => d.kind)).toEqual([
      'ServiceAccount',
      'ClusterRole',
      'ClusterRoleBinding',
    ]);
    expect(grantsOf(readerDocs, ['ClusterRole'])).toEqual(
      kinds
        .flatMap(k =>
          ['get', 'list', 'watch'].map(v => grant(k.group, k.plural, v)),
        )
        .sort(),
    );
  });

  it('lets the reader discover, list, watch and get every one of them', async () => {
    const groups = await send(direct, READER_TOKEN, 'GET', '/apis');
    expect(groups.status).toBe(200);
    const servedVersions = new Map<string, string[]>(
      groups.body.groups.map((g: any) => [
        g.name,
        g.versions.map((v: any) => v.version),
      ]),
    );
    const outcomes: string[] = [];
    for (const k of kinds) {
      const version =
        k.group === '' || k.group === 'apps'
          ? k.versions[0]
          : k.versions.find(v => servedVersions.get(k.group)?.includes(v));
      expect(version).toBeDefined();
      const base = k.group ? `/apis/${k.group}/${version}` : `/api/${version}`;
      const scopes = k.clusterScoped
        ? [`${base}/${k.plural}`]
        : [`${base}/${k.plural}`, `${base}/namespaces/${NS}/${k.plural}`];
      for (const collection of scopes) {
        const selector = k.clusterScoped
          ? ''
          : `?labelSelector=${encodeURIComponent(
              'backstage.io/kubernetes-id',
            )}`;
        const list = await send(
          direct,
          READER_TOKEN,
          'GET',
          `${collection}${selector}`,
        );
        outcomes.push(`list ${collection}: ${list.status}`);
        outcomes.push(
          `watch ${collection}: ${await watchStatus(
            direct,
            READER_TOKEN,
            `${collection}${selector}`,
          )}`,
        );
      }
      const get = await send(
        direct,
        READER_TOKEN,
        'GET',
        `${scopes[scopes.length - 1]}/no-such-object`,
      );
      outcomes.push(`get ${k.plural}: ${get.status}`);
    }
    expect(outcomes).toEqual(
      outcomes.map(o =>
        o.replace(/: \d+$/, o.startsWith('get ') ? ': 404' : ': 200'),
      ),
    );
    // Placement from the nodes' labels, as discovery reads it.
    expect(
      (await send(direct, READER_TOKEN, 'GET', '/api/v1/nodes?limit=200'))
        .status,
    ).toBe(200);
  });

  it('keeps a client-node informer in sync, as the watch cache does', async () => {
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'direct', server: direct.url, skipTLSVerify: true }],
      users: [{ name: 'reader', token: READER_TOKEN }],
      contexts: [{ name: 'direct', cluster: 'direct', user: 'reader' }],
      currentContext: 'direct',
    });
    const apps = kc.makeApiClient(AppsV1Api);
    const informer = makeInformer<V1StatefulSet>(
      kc,
      `/apis/apps/v1/namespaces/${NS}/statefulsets`,
      () => apps.listNamespacedStatefulSet({ namespace: NS }),
    );
    const seen: Record<string, string | undefined> = {};
    const errors: unknown[] = [];
    const record = (o: V1StatefulSet) => {
      seen[o.metadata!.name!] =
        o.metadata?.annotations?.['example.com/informer'];
    };
    informer.on('add', record);
    informer.on('update', record);
    informer.on('error', e => errors.push(e));
    await informer.start();
    try {
      const sts = sample('apps/v1', 'StatefulSet').metadata.name;
      await eventually(() => sts in seen);
      const patched = await send(
        direct,
        direct.token,
        'PATCH',
        `/apis/apps/v1/namespaces/${NS}/statefulsets/${sts}`,
        {
          body: { metadata: { annotations: { 'example.com/informer': '1' } } },
          contentType: 'application/merge-patch+json',
        },
      );
      expect(patched.status).toBe(200);
      await eventually(() => seen[sts] === '1');
      expect(errors).toEqual([]);
    } finally {
      await informer.stop();
    }
  });

  it('refuses the reader Secrets, other kinds and every write', async () => {
    const sts = sample('apps/v1', 'StatefulSet');
    const secret = sample('v1', 'Secret').metadata.name;
    const stsPath = `/apis/apps/v1/namespaces/${NS}/statefulsets/${sts.metadata.name}`;
    const attempts: Array<[string, string, unknown?, string?]> = [
      ['GET', `/api/v1/namespaces/${NS}/secrets/${secret}`],
      ['GET', `/api/v1/namespaces/${NS}/secrets`],
      ['GET', '/api/v1/secrets'],
      ['GET', `/api/v1/namespaces/${NS}/configmaps`],
      ['GET', '/apis/apps/v1/deployments'],
      ['GET', '/apis/rbac.authorization.k8s.io/v1/clusterroles'],
      [
        'PATCH',
        stsPath,
        { spec: { replicas: 0 } },
        'application/merge-patch+json',
      ],
      ['DELETE', stsPath],
      [
        'POST',
        `/apis/apps/v1/namespaces/${NS}/statefulsets`,
        stripServerFields(sts, 'reader-copy', NS),
      ],
      ['DELETE', `/api/v1/namespaces/${NS}/pods/${sts.metadata.name}-0`],
    ];
    const outcomes: string[] = [];
    for (const [method, p, body, contentType] of attempts) {
      const res = await send(direct, READER_TOKEN, method, p, {
        body,
        contentType,
      });
      outcomes.push(`${method} ${p}: ${res.status}`);
    }
    outcomes.push(
      `watch secrets: ${await watchStatus(
        direct,
        READER_TOKEN,
        '/api/v1/secrets',
      )}`,
    );
    expect(outcomes).toEqual(outcomes.map(o => o.replace(/\d+$/, '403')));
    // Impersonation is not the reader's either.
    const asAdmin = await send(direct, READER_TOKEN, 'GET', stsPath, {
      headers: [
        ['Impersonate-User', 'admin'],
        ['Impersonate-Group', 'system:masters'],
      ],
    });
    expect(asAdmin.status).toBe(403);
  });
});

describe('writer.yaml (no impersonation)', () => {
  it('grants exactly what the failover and apply requests need', () => {
    expect(writerDocs.map(d => d.kind)).toEqual([
      'ServiceAccount',
      'Role',
      'RoleBinding',
      'ClusterRole',
      'ClusterRoleBinding',
    ]);
    const needed = [
      ...new Set(backendRequests(NS, served).map(r => r.needs)),
    ].sort();
    expect(grantsOf(writerDocs, ['Role', 'ClusterRole'])).toEqual(needed);
    // Only the cluster-scoped kinds are granted cluster-wide.
    const clusterWide = writerDocs.find(d => d.kind === 'ClusterRole');
    expect(clusterWide.rules.flatMap((r: any) => r.resources).sort()).toEqual(
      [...served.values()]
        .filter(s => !s.namespaced && s.plural !== 'namespaces')
        .map(s => s.plural)
        .sort(),
    );
  });

  it('lets the writer send every failover and apply request in databases', async () => {
    const requests = backendRequests(NS, served);
    expect(await run(direct, requests)).toEqual(expected(requests));
  });

  it('refuses the same requests in another namespace', async () => {
    const requests = backendRequests(OTHER_NS, served);
    expect(statusesOf(await run(direct, requests))).toEqual(
      forbidden(requests),
    );
  });

  it('refuses deletes of workloads, reading Secrets in bulk, and the rest', async () => {
    const sts = sample('apps/v1', 'StatefulSet').metadata.name;
    const cnpg = sample('postgresql.cnpg.io/v1', 'Cluster').metadata.name;
    const attempts: Array<[string, string, unknown?, string?]> = [
      ['DELETE', `/apis/apps/v1/namespaces/${NS}/statefulsets/${sts}`],
      ['DELETE', `/apis/apps/v1/namespaces/${NS}/statefulsets`],
      [
        'DELETE',
        `/apis/postgresql.cnpg.io/v1/namespaces/${NS}/clusters/${cnpg}`,
      ],
      ['GET', `/api/v1/namespaces/${NS}/secrets`],
      ['GET', '/api/v1/secrets'],
      ['GET', `/api/v1/namespaces/${OTHER_NS}/secrets/anything`],
      ['GET', `/api/v1/namespaces/${NS}/pods`],
      ['GET', '/apis/apps/v1/statefulsets'],
      [
        'PATCH',
        `/api/v1/namespaces/${NS}`,
        { metadata: { labels: { x: 'y' } } },
        'application/merge-patch+json',
      ],
      [
        'POST',
        '/api/v1/namespaces',
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'new-db' } },
      ],
      [
        'POST',
        `/apis/rbac.authorization.k8s.io/v1/namespaces/${NS}/rolebindings`,
        {
          apiVersion: 'rbac.authorization.k8s.io/v1',
          kind: 'RoleBinding',
          metadata: { name: 'escalate', namespace: NS },
          roleRef: {
            apiGroup: 'rbac.authorization.k8s.io',
            kind: 'ClusterRole',
            name: 'cluster-admin',
          },
          subjects: [{ kind: 'Group', name: 'system:authenticated' }],
        },
      ],
    ];
    const outcomes: string[] = [];
    for (const [method, p, body, contentType] of attempts) {
      const res = await send(direct, WRITER_TOKEN, method, p, {
        body,
        contentType,
      });
      outcomes.push(`${method} ${p}: ${res.status}`);
    }
    outcomes.push(
      `watch secrets in ${NS}: ${await watchStatus(
        direct,
        WRITER_TOKEN,
        `/api/v1/namespaces/${NS}/secrets`,
      )}`,
    );
    expect(outcomes).toEqual(outcomes.map(o => o.replace(/\d+$/, '403')));
    const admin = await send(
      direct,
      direct.token,
      'GET',
      `/apis/apps/v1/namespaces/${NS}/statefulsets/${sts}`,
    );
    expect(admin.status).toBe(200);
  });
});

describe('writer-impersonation.yaml', () => {
  const asAnn: HeaderList = [
    ['Impersonate-User', 'ann'],
    ['Impersonate-Group', 'dbas'],
    ['Impersonate-Group', 'backstage-users'],
  ];

  it('lets the ServiceAccount impersonate and nothing else', () => {
    const bound = impersonationDocs.filter(
      d =>
        d.kind.endsWith('Binding') &&
        d.subjects.some((s: any) => s.kind === 'ServiceAccount'),
    );
    expect(bound.map(b => b.roleRef)).toEqual([
      {
        apiGroup: 'rbac.authorization.k8s.io',
        kind: 'ClusterRole',
        name: 'backstage-impersonator',
      },
    ]);
    const role = impersonationDocs.filter(
      d =>
        d.kind === 'ClusterRole' &&
        d.metadata.name === 'backstage-impersonator',
    );
    expect(grantsOf(role, ['ClusterRole'])).toEqual([
      grant('', 'groups', 'impersonate'),
      grant('', 'users', 'impersonate'),
    ]);
  });

  it("gives the group dbas exactly the non-impersonating writer's rights", () => {
    const groupRoles = impersonationDocs.filter(
      d => d.metadata.name !== 'backstage-impersonator',
    );
    expect(grantsOf(groupRoles, ['Role', 'ClusterRole'])).toEqual(
      grantsOf(writerDocs, ['Role', 'ClusterRole']),
    );
    for (const binding of impersonationDocs.filter(
      d =>
        d.kind.endsWith('Binding') &&
        d.roleRef.name !== 'backstage-impersonator',
    )) {
      expect(binding.subjects).toEqual([
        { kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: 'dbas' },
      ]);
    }
  });

  it('refuses every request sent without impersonation headers', async () => {
    const requests = backendRequests(NS, served);
    expect(statusesOf(await run(impersonating, requests))).toEqual(
      forbidden(requests),
    );
  });

  it('refuses a user outside dbas, and ann without her groups', async () => {
    const sts = sample('apps/v1', 'StatefulSet').metadata.name;
    const p = `/apis/apps/v1/namespaces/${NS}/statefulsets/${sts}`;
    const patch = {
      body: { spec: { replicas: 0 } },
      contentType: 'application/merge-patch+json',
    };
    const bob = await send(impersonating, WRITER_TOKEN, 'PATCH', p, {
      ...patch,
      headers: [
        ['Impersonate-User', 'bob'],
        ['Impersonate-Group', 'frontend'],
      ],
    });
    expect(bob.status).toBe(403);
    expect(bob.body.message).toContain('User "bob" cannot patch');
    const annAlone = await send(impersonating, WRITER_TOKEN, 'PATCH', p, {
      ...patch,
      headers: [['Impersonate-User', 'ann']],
    });
    expect(annAlone.status).toBe(403);
  });

  it('lets ann of dbas send every failover and apply request in databases', async () => {
    const requests = backendRequests(NS, served);
    expect(await run(impersonating, requests, asAnn)).toEqual(
      expected(requests),
    );
  });

  it('refuses ann in another namespace, deletes of workloads and Secrets in bulk', async () => {
    const requests = backendRequests(OTHER_NS, served);
    expect(statusesOf(await run(impersonating, requests, asAnn))).toEqual(
      forbidden(requests),
    );
    const sts = sample('apps/v1', 'StatefulSet').metadata.name;
    for (const [method, p] of [
      ['DELETE', `/apis/apps/v1/namespaces/${NS}/statefulsets/${sts}`],
      ['GET', `/api/v1/namespaces/${NS}/secrets`],
    ]) {
      const res = await send(impersonating, WRITER_TOKEN, method, p, {
        headers: asAnn,
      });
      expect(`${method} ${p}: ${res.status}`).toBe(`${method} ${p}: 403`);
    }
  });
});
