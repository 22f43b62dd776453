/*
 * ECK (Elastic Cloud on Kubernetes): reads `Elasticsearch` resources and the
 * StatefulSets ECK runs for their node sets (`<name>-es-<nodeSet>`), with
 * cross-cluster replication between Kubernetes clusters as Elasticsearch
 * documents it. ECK's own `spec.remoteClusters[].elasticsearchRef` only
 * reaches an Elasticsearch of the same Kubernetes cluster, so a follower in
 * another one names its leader in the node sets' `config`:
 * `cluster.remote.<alias>.proxy_address` (proxy mode) or
 * `cluster.remote.<alias>.seeds` (sniff mode). An Elasticsearch with such a
 * setting pointing out of its own Kubernetes cluster follows; one without
 * leads. A link joins two clusters when the follower's remote address is one
 * the other cluster's Elasticsearch publishes on a Service (a LoadBalancer's
 * ingress, an external IP, external-dns' host name annotation). ECK reports no replication lag, so links carry
 * none and the backend reads it from Prometheus.
 */
import { WorkloadRoleSignal } from '../chartConventions';
import { ClusterObjects, KubeObject, labelOf } from '../kube';
import { ReplicationLink } from '../types';
import { OperatorConvention } from './types';

/** The label ECK puts on every pod, StatefulSet and Service of an Elasticsearch. */
export const ECK_CLUSTER_NAME_LABEL =
  'elasticsearch.k8s.elastic.co/cluster-name';

const ECK_GROUP = 'elasticsearch.k8s.elastic.co';
const EXTERNAL_DNS_HOSTNAME = 'external-dns.alpha.kubernetes.io/hostname';
const REMOTE_SETTING = /^cluster\.remote\.([^.]+)\.(proxy_address|seeds)$/;

/** One `host:port` an Elasticsearch is told to reach a remote cluster at. */
export interface RemoteAddress {
  alias: string;
  host: string;
  port?: number;
}

/** The StatefulSet ECK runs for one node set of an Elasticsearch. */
export function eckStatefulSetName(es: string, nodeSet: string): string {
  return `${es}-es-${nodeSet}`;
}

function flatten(
  value: unknown,
  prefix: string,
  out: Record<string, unknown>,
): void {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) {
      flatten(v, prefix ? `${prefix}.${k}` : k, out);
    }
  } else {
    out[prefix] = value;
  }
}

function parseAddress(alias: string, raw: string): RemoteAddress | undefined {
  const text = raw.trim();
  if (!text) return undefined;
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  const plain = /^([^:]+)(?::(\d+))?$/.exec(text);
  const m = bracketed ?? plain;
  if (!m) return undefined;
  return {
    alias,
    host: m[1].toLowerCase(),
    ...(m[2] ? { port: Number(m[2]) } : {}),
  };
}

/**
 * The remote clusters an Elasticsearch's node sets are configured with
 * (`cluster.remote.<alias>.proxy_address` or `.seeds`, dotted or nested).
 */
export function remoteAddressesOf(es: KubeObject): RemoteAddress[] {
  const found: RemoteAddress[] = [];
  const seen = new Set<string>();
  for (const nodeSet of es.spec?.nodeSets ?? []) {
    const settings: Record<string, unknown> = {};
    flatten(nodeSet?.config ?? {}, '', settings);
    for (const [key, value] of Object.entries(settings)) {
      const m = REMOTE_SETTING.exec(key);
      if (!m) continue;
      const raws = (Array.isArray(value) ? value : String(value).split(','))
        .filter(v => v !== null && v !== undefined)
        .map(String);
      for (const raw of raws) {
        const address = parseAddress(m[1], raw);
        const id = address && `${address.host}:${address.port ?? ''}`;
        if (address && !seen.has(id!)) {
          seen.add(id!);
          found.push(address);
        }
      }
    }
  }
  return found;
}

function sameNamespace(a: KubeObject, b: KubeObject): boolean {
  return (a.metadata.namespace ?? '') === (b.metadata.namespace ?? '');
}

/** The Elasticsearch (of these objects) that runs a StatefulSet or pod. */
function elasticsearchOf(
  obj: KubeObject,
  objects: ClusterObjects,
): KubeObject | undefined {
  const owner = obj.metadata.ownerReferences?.find(
    r =>
      r.kind === 'Elasticsearch' &&
      (!r.apiVersion || r.apiVersion.startsWith(`${ECK_GROUP}/`)),
  )?.name;
  const name = owner ?? labelOf(obj, ECK_CLUSTER_NAME_LABEL);
  if (!name) return undefined;
  return objects.elasticsearches.find(
    es => es.metadata.name === name && sameNamespace(es, obj),
  );
}

/** The Services of an Elasticsearch (ECK labels each with its name). */
function servicesOf(es: KubeObject, objects: ClusterObjects): KubeObject[] {
  return objects.services.filter(
    s =>
      sameNamespace(s, es) &&
      (labelOf(s, ECK_CLUSTER_NAME_LABEL) === es.metadata.name ||
        s.metadata.ownerReferences?.some(
          r => r.kind === 'Elasticsearch' && r.name === es.metadata.name,
        )),
  );
}

/** The host names and addresses a Service is reachable at from elsewhere. */
function publishedHostsOf(service: KubeObject): string[] {
  const hosts: string[] = [];
  for (const ingress of service.status?.loadBalancer?.ingress ?? []) {
    if (ingress?.hostname) hosts.push(String(ingress.hostname));
    if (ingress?.ip) hosts.push(String(ingress.ip));
  }
  for (const ip of service.spec?.externalIPs ?? []) hosts.push(String(ip));
  if (service.spec?.type === 'ExternalName' && service.spec?.externalName) {
    hosts.push(String(service.spec.externalName));
  }
  const dns = service.metadata.annotations?.[EXTERNAL_DNS_HOSTNAME];
  for (const host of (dns ?? '').split(',')) {
    if (host.trim()) hosts.push(host.trim().replace(/\.$/, ''));
  }
  return hosts.map(h => h.toLowerCase());
}

/** Whether one of an Elasticsearch's Services publishes an address. */
function publishes(
  es: KubeObject,
  objects: ClusterObjects,
  address: RemoteAddress,
): boolean {
  return servicesOf(es, objects).some(service => {
    if (!publishedHostsOf(service).includes(address.host)) return false;
    const ports: unknown[] = (service.spec?.ports ?? []).map(
      (p: any) => p?.port,
    );
    return (
      address.port === undefined ||
      ports.length === 0 ||
      ports.includes(address.port)
    );
  });
}

/** Whether an address stays inside the Kubernetes cluster (Service DNS). */
function isClusterLocal(host: string): boolean {
  return /\.svc(\.cluster\.local)?$/.test(host) || !host.includes('.');
}

/**
 * The remote addresses of an Elasticsearch that lead out of its Kubernetes
 * cluster: not a Service DNS name, not published by a Service of its own.
 */
function crossClusterRemotes(
  es: KubeObject,
  objects: ClusterObjects,
): RemoteAddress[] {
  return remoteAddressesOf(es).filter(
    address =>
      !isClusterLocal(address.host) &&
      !objects.elasticsearches.some(
        other => sameNamespace(other, es) && publishes(other, objects, address),
      ),
  );
}

/**
 * The node set whose StatefulSet holds the data a follower replicates: the
 * first one with a data role (no `node.roles` means every role), else the
 * first. Its StatefulSet names the link's workload.
 */
export function eckDataNodeSet(es: KubeObject): string | undefined {
  const nodeSets: any[] = es.spec?.nodeSets ?? [];
  const holdsData = (nodeSet: any): boolean => {
    const settings: Record<string, unknown> = {};
    flatten(nodeSet?.config ?? {}, '', settings);
    const roles = settings['node.roles'];
    return (
      roles === undefined ||
      (Array.isArray(roles) && roles.some(r => /^data/.test(String(r))))
    );
  };
  return (nodeSets.find(holdsData) ?? nodeSets[0])?.name;
}

function followerProblem(es: KubeObject): string | undefined {
  const health = String(es.status?.health ?? 'unknown').toLowerCase();
  const phase = es.status?.phase;
  const problems: string[] = [];
  if (health === 'red' || health === 'unknown') {
    problems.push(`health ${health}`);
  }
  if (phase !== 'Ready') problems.push(`phase ${phase ?? 'unknown'}`);
  return problems.length
    ? `follower Elasticsearch ${es.metadata.name}: ${problems.join(', ')}`
    : undefined;
}

function links(
  objectsByCluster: Record<string, ClusterObjects>,
): ReplicationLink[] {
  const result: ReplicationLink[] = [];
  const seen = new Set<string>();
  const clusters = Object.entries(objectsByCluster);
  for (const [to, followerObjects] of clusters) {
    for (const follower of followerObjects.elasticsearches) {
      const remotes = crossClusterRemotes(follower, followerObjects);
      const nodeSet = eckDataNodeSet(follower);
      if (!remotes.length || !nodeSet) continue;
      const workload = eckStatefulSetName(follower.metadata.name, nodeSet);
      for (const [from, leaderObjects] of clusters) {
        if (from === to) continue;
        const leads = leaderObjects.elasticsearches.some(leader =>
          remotes.some(address => publishes(leader, leaderObjects, address)),
        );
        const key = `${from}>${to}/${workload}`;
        if (!leads || seen.has(key)) continue;
        seen.add(key);
        const problem = followerProblem(follower);
        result.push({
          from,
          to,
          workload,
          provider: 'eck',
          lagSeconds: null,
          healthy: false,
          reason: problem ?? 'lag not reported by ECK',
        });
      }
    }
  }
  return result;
}

function roleOf(
  statefulSet: KubeObject,
  objects: ClusterObjects,
): WorkloadRoleSignal | undefined {
  const es = elasticsearchOf(statefulSet, objects);
  if (!es) return undefined;
  const follows = crossClusterRemotes(es, objects).length > 0;
  return { role: follows ? 'passive' : 'active', source: 'eck' };
}

function isRelated(es: KubeObject, objects: ClusterObjects): boolean {
  return [...objects.statefulSets, ...objects.pods].some(
    o => elasticsearchOf(o, { ...objects, elasticsearches: [es] }) === es,
  );
}

/** ECK's `Elasticsearch` resources, their StatefulSets' roles and CCR links. */
export const eckConvention: OperatorConvention = {
  id: 'eck',
  title: 'ECK',
  engine: 'elasticsearch',
  selectorOf: es => `${ECK_CLUSTER_NAME_LABEL}=${es.metadata.name}`,
  resources: objects => objects.elasticsearches,
  isRelated,
  roleOf,
  links,
};
