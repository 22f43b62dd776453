/*
 * Every DNS name a generated object holds must resolve, from the cluster the
 * object is applied to, to the place it means — with the DNS each routing
 * mode really provides: `cluster.local` only inside its own cluster (Istio
 * discovery adds Services that exist in exactly one cluster of the mesh),
 * `clusterset.local` for exported Services and, for pods of an exported
 * headless Service, `<pod>.<clusterid>.<svc>`.
 */
import { demoClusters } from '../../__fixtures__/clusters';
import { goldenCases } from '../__fixtures__/cases';
import { generateManifests } from '../generateManifests';
import { mcsClusterId } from '../naming';
import { GenerateRequest, GenerateResult, KubeObject } from '../types';

const HOST = /[a-z0-9][-a-z0-9.]*\.svc\.cluster(?:set)?\.local/g;

interface ClusterView {
  mcsId: string;
  services: Map<string, KubeObject>;
  exported: Set<string>;
  pods: Map<string, string>; // pod name -> its StatefulSet's serviceName
}

// The cluster an object is applied to, from its file; undefined for files
// every member gets. Federation objects repeat the per-cluster workloads.
function clusterOf(path: string): string | undefined {
  return /^(?:clusters|routing)\/([^/]+)\//.exec(path)?.[1];
}

function views(request: GenerateRequest, result: GenerateResult) {
  const out = new Map<string, ClusterView>();
  for (const c of request.clusters) {
    out.set(c.name, {
      mcsId: mcsClusterId({ ...c, ordinalsStart: 0, zones: [] }),
      services: new Map(),
      exported: new Set(),
      pods: new Map(),
    });
  }
  for (const { path, object } of result.objects) {
    const view = out.get(clusterOf(path) ?? '');
    if (!view) continue;
    const spec = (object as any).spec ?? {};
    if (object.kind === 'Service')
      view.services.set(object.metadata.name, object);
    if (object.kind === 'ServiceExport')
      view.exported.add(object.metadata.name);
    if (object.kind === 'StatefulSet') {
      const start = spec.ordinals?.start ?? 0;
      for (let i = 0; i < spec.replicas; i++) {
        view.pods.set(`${object.metadata.name}-${start + i}`, spec.serviceName);
      }
    }
  }
  return out;
}

/** Why `host` does not resolve from `from`, or undefined when it does. */
function unresolved(
  host: string,
  from: string,
  all: Map<string, ClusterView>,
  request: GenerateRequest,
): string | undefined {
  const clusterset = host.endsWith('.svc.clusterset.local');
  const labels = host.replace(/\.svc\.cluster(set)?\.local$/, '').split('.');
  const ns = labels.pop();
  if (ns !== request.namespace) return `namespace ${ns}`;
  const here = all.get(from)!;
  const clusters = [...all.values()];
  if (!clusterset && labels.length === 1) {
    if (here.services.has(labels[0])) return undefined;
    const owners = clusters.filter(v => v.services.has(labels[0]));
    return request.routing === 'istio' && owners.length === 1
      ? undefined
      : `Service ${labels[0]} is not in ${from}${
          request.routing === 'istio' ? ' nor in exactly one other cluster' : ''
        }`;
  }
  if (!clusterset && labels.length === 2) {
    const [pod, svc] = labels;
    return here.pods.get(pod) === svc
      ? undefined
      : `pod ${pod} of ${svc} is not in ${from}`;
  }
  if (clusterset && labels.length === 1) {
    return clusters.some(v => v.exported.has(labels[0]))
      ? undefined
      : `no cluster exports ${labels[0]}`;
  }
  if (clusterset && labels.length === 3) {
    const [pod, id, svc] = labels;
    const owner = clusters.find(v => v.mcsId === id);
    if (!owner) return `no cluster has the MCS id ${id}`;
    return owner.exported.has(svc) && owner.pods.get(pod) === svc
      ? undefined
      : `pod ${pod} of exported ${svc} is not in the cluster ${id}`;
  }
  return 'not a Service or pod name';
}

// Every host name in the object's strings, skipping DNS suffixes that
// engines complete with a pod name (`…-domain` settings).
function hostsIn(value: unknown, key = ''): string[] {
  if (typeof value === 'string') {
    return key.endsWith('domain') ? [] : value.match(HOST) ?? [];
  }
  if (Array.isArray(value)) return value.flatMap(v => hostsIn(v, key));
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => hostsIn(v, k));
  }
  return [];
}

function problemsOf(request: GenerateRequest) {
  const result = generateManifests(request, demoClusters);
  const all = views(request, result);
  const problems: string[] = [];
  for (const { path, object } of result.objects) {
    if (path.startsWith('federation/')) continue;
    const cluster = clusterOf(path);
    const from = cluster ? [cluster] : [...all.keys()];
    for (const host of new Set(hostsIn(object))) {
      for (const c of from) {
        const why = unresolved(host, c, all, request);
        if (why) problems.push(`${path}: ${host} from ${c}: ${why}`);
      }
    }
  }
  return problems;
}

describe('cross-cluster addresses', () => {
  it.each(goldenCases.map(c => [c.id, c] as const))(
    '%s: every name resolves where it is used',
    (_id, c) => {
      expect(problemsOf(c.request)).toEqual([]);
    },
  );

  it('puts the configured MCS cluster id into pod names', () => {
    const mcs = goldenCases.find(
      c => c.request.routing === 'mcs' && c.request.engine === 'mongodb',
    )!.request;
    const request = {
      ...mcs,
      clusters: mcs.clusters.map(c => ({ ...c, mcsClusterId: `id-${c.name}` })),
    };
    const text = generateManifests(request, demoClusters)
      .files.map(f => f.content)
      .join('\n');
    expect(text).toContain(
      '.id-eu-central.mongodb-db-headless.data.svc.clusterset.local',
    );
    expect(text).not.toMatch(/\.eu-central\.mongodb-db-headless\./);
    expect(problemsOf(request)).toEqual([]);
  });
});
