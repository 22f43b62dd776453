/*
 * Plays ECK (Elastic Cloud on Kubernetes) for `elasticsearch.k8s.elastic.co`
 * Elasticsearch objects, as the real operator lays them out: one StatefulSet
 * per node set (`<name>-es-<nodeSet>`, with its headless Service of the same
 * name), the Services `<name>-es-http`, `<name>-es-internal-http` and
 * `<name>-es-transport`, and a status (health, phase, available nodes,
 * version, conditions) read from the pods. The simulator's StatefulSet
 * controller rolls the StatefulSets out into pods.
 *
 * A transport Service the spec asks to be a `LoadBalancer` gets an ingress
 * host name in its status, stable and naming the Kubernetes cluster
 * ({@link loadBalancerHostname}), as a cloud load balancer would publish.
 * An Elasticsearch whose node sets' `config` names such an address in
 * `cluster.remote.<alias>.proxy_address` or `.seeds` follows the
 * Elasticsearch behind it by cross-cluster replication: the simulator's own
 * lag record (`SIM_*` annotations, engine `elasticsearch`) is kept on the
 * follower's data StatefulSet, which `/metrics` exports under that
 * StatefulSet's name. The lag grows while the leader's cluster is down or
 * partitioned away.
 */
import { isoSeconds } from '../../api/timestamp';
import { lagIntervalMs, nextLag, type ReplicationSettings } from '../lagModel';
import {
  SIM_ENGINE,
  SIM_LAG_OBSERVED_AT,
  SIM_LAG_SECONDS,
  SIM_LAG_SOURCE,
} from '../metrics';
import type {
  ClusterApi,
  Controller,
  ControllerContext,
  KubeObject,
} from '../types';
import {
  ensure,
  jitter,
  loadBalancerHostname,
  ownedBy,
  publishLoadBalancer,
  same,
} from './shared';

/** The API version ECK stores Elasticsearch objects in. */
export const ECK_API_VERSION = 'elasticsearch.k8s.elastic.co/v1';
/** ECK's label naming the Elasticsearch an object belongs to. */
export const CLUSTER_NAME_LABEL = 'elasticsearch.k8s.elastic.co/cluster-name';
/** ECK's label naming the StatefulSet a pod belongs to. */
export const STATEFULSET_NAME_LABEL =
  'elasticsearch.k8s.elastic.co/statefulset-name';
/** ECK's label with the Elasticsearch version a pod runs. */
export const VERSION_LABEL = 'elasticsearch.k8s.elastic.co/version';
/** ECK's label with the kind of stack application. */
export const TYPE_LABEL = 'common.k8s.elastic.co/type';

const IMAGE = 'docker.elastic.co/elasticsearch/elasticsearch';
const HTTP_PORT = 9200;
const TRANSPORT_PORT = 9300;
const NODE_ROLES = [
  'master',
  'data',
  'ingest',
  'ml',
  'transform',
  'remote_cluster_client',
];

function flatten(
  value: unknown,
  prefix: string,
  out: Record<string, unknown>,
): Record<string, unknown> {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) {
      flatten(v, prefix ? `${prefix}.${k}` : k, out);
    }
  } else if (prefix) {
    out[prefix] = value;
  }
  return out;
}

/** The settings of a node set's `config`, dotted keys whether nested or not. */
function settingsOf(nodeSet: any): Record<string, unknown> {
  return flatten(nodeSet?.config ?? {}, '', {});
}

/** The hosts a node set's `cluster.remote.*` settings reach remote clusters at. */
function remoteHostsOf(es: KubeObject): string[] {
  const hosts = new Set<string>();
  for (const nodeSet of es.spec?.nodeSets ?? []) {
    for (const [key, value] of Object.entries(settingsOf(nodeSet))) {
      if (!/^cluster\.remote\.[^.]+\.(proxy_address|seeds)$/.test(key)) {
        continue;
      }
      const raws = Array.isArray(value) ? value : String(value).split(',');
      for (const raw of raws) {
        const host = String(raw)
          .trim()
          .replace(/^\[([^\]]+)\].*$/, '$1')
          .replace(/:\d+$/, '')
          .toLowerCase();
        if (host) hosts.add(host);
      }
    }
  }
  return [...hosts];
}

/** The node set whose StatefulSet holds the data (first with a data role). */
export function dataNodeSet(es: KubeObject): string | undefined {
  const nodeSets: any[] = es.spec?.nodeSets ?? [];
  const holdsData = (nodeSet: any) => {
    const roles = settingsOf(nodeSet)['node.roles'];
    return (
      roles === undefined ||
      (Array.isArray(roles) && roles.some(r => /^data/.test(String(r))))
    );
  };
  return (nodeSets.find(holdsData) ?? nodeSets[0])?.name;
}

function commonLabels(es: KubeObject): Record<string, string> {
  return {
    [TYPE_LABEL]: 'elasticsearch',
    [CLUSTER_NAME_LABEL]: es.metadata.name,
  };
}

function httpScheme(es: KubeObject): 'http' | 'https' {
  return es.spec?.http?.tls?.selfSignedCertificate?.disabled === true
    ? 'http'
    : 'https';
}

/** The `node-<role>` labels ECK puts on a node set's pods. */
function roleLabels(nodeSet: any): Record<string, string> {
  const roles = settingsOf(nodeSet)['node.roles'];
  const has = (role: string) =>
    !Array.isArray(roles) ||
    roles.some(r => r === role || (role === 'data' && /^data/.test(String(r))));
  return Object.fromEntries(
    NODE_ROLES.map(role => [
      `elasticsearch.k8s.elastic.co/node-${role}`,
      String(has(role)),
    ]),
  );
}

/** The main container: ECK's defaults, the user's pod template over them. */
function elasticsearchContainer(
  es: KubeObject,
  nodeSet: any,
  stsName: string,
): any {
  const user = (nodeSet.podTemplate?.spec?.containers ?? []).find(
    (c: any) => c?.name === 'elasticsearch',
  );
  const scheme = httpScheme(es);
  const fieldEnv = (name: string, fieldPath: string) => ({
    name,
    valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath } },
  });
  const resources = user?.resources ?? {
    requests: { memory: '2Gi' },
    limits: { memory: '2Gi' },
  };
  for (const kind of ['limits', 'requests']) {
    for (const unit of ['cpu', 'memory']) {
      const shorthand = nodeSet.resources?.[kind]?.[unit];
      if (shorthand !== undefined) {
        resources[kind] = { ...resources[kind], [unit]: shorthand };
      }
    }
  }
  return {
    ...user,
    name: 'elasticsearch',
    image: user?.image ?? es.spec?.image ?? `${IMAGE}:${es.spec?.version}`,
    ports: [
      { name: scheme, containerPort: HTTP_PORT, protocol: 'TCP' },
      { name: 'transport', containerPort: TRANSPORT_PORT, protocol: 'TCP' },
    ],
    env: [
      fieldEnv('POD_IP', 'status.podIP'),
      fieldEnv('POD_NAME', 'metadata.name'),
      fieldEnv('NODE_NAME', 'spec.nodeName'),
      fieldEnv('NAMESPACE', 'metadata.namespace'),
      { name: 'HEADLESS_SERVICE_NAME', value: stsName },
      ...(user?.env ?? []),
    ],
    resources,
    readinessProbe: user?.readinessProbe ?? {
      exec: {
        command: [
          'bash',
          '-c',
          '/mnt/elastic-internal/scripts/readiness-port-script.sh',
        ],
      },
      periodSeconds: 5,
      timeoutSeconds: 5,
      failureThreshold: 3,
    },
    volumeMounts: [
      {
        name: 'elasticsearch-data',
        mountPath: '/usr/share/elasticsearch/data',
      },
      {
        name: 'elasticsearch-logs',
        mountPath: '/usr/share/elasticsearch/logs',
      },
      ...(user?.volumeMounts ?? []),
    ],
  };
}

/** The StatefulSet ECK runs for one node set. */
export function desiredStatefulSet(es: KubeObject, nodeSet: any): KubeObject {
  const stsName = `${es.metadata.name}-es-${nodeSet.name}`;
  const version = String(es.spec?.version ?? '');
  const selector = {
    [CLUSTER_NAME_LABEL]: es.metadata.name,
    [STATEFULSET_NAME_LABEL]: stsName,
  };
  const labels = {
    ...commonLabels(es),
    [STATEFULSET_NAME_LABEL]: stsName,
    [VERSION_LABEL]: version,
  };
  const claims: any[] = nodeSet.volumeClaimTemplates?.length
    ? nodeSet.volumeClaimTemplates
    : [
        {
          metadata: { name: 'elasticsearch-data' },
          spec: {
            accessModes: ['ReadWriteOnce'],
            resources: { requests: { storage: '1Gi' } },
          },
        },
      ];
  const claimNames = claims.map(c => String(c?.metadata?.name));
  const userPod = nodeSet.podTemplate ?? {};
  const userSpec = userPod.spec ?? {};
  const container = elasticsearchContainer(es, nodeSet, stsName);
  const volumes = [
    ...(claimNames.includes('elasticsearch-data')
      ? []
      : [{ name: 'elasticsearch-data', emptyDir: {} }]),
    { name: 'elasticsearch-logs', emptyDir: {} },
    ...(userSpec.volumes ?? []),
  ];
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: {
      name: stsName,
      namespace: es.metadata.namespace,
      labels,
      ownerReferences: ownedBy(es),
    },
    spec: {
      replicas: Math.max(0, Number(nodeSet.count ?? 1)),
      serviceName: stsName,
      selector: { matchLabels: selector },
      podManagementPolicy: 'Parallel',
      // ECK restarts nodes itself; the simulator's rolling update plays that part.
      updateStrategy: { type: 'RollingUpdate' },
      revisionHistoryLimit: es.spec?.revisionHistoryLimit ?? 10,
      template: {
        metadata: {
          labels: {
            ...userPod.metadata?.labels,
            ...labels,
            ...roleLabels(nodeSet),
            'elasticsearch.k8s.elastic.co/http-scheme': httpScheme(es),
          },
          ...(userPod.metadata?.annotations
            ? { annotations: userPod.metadata.annotations }
            : {}),
        },
        spec: {
          ...userSpec,
          containers: [
            container,
            ...(userSpec.containers ?? []).filter(
              (c: any) => c?.name !== 'elasticsearch',
            ),
          ],
          volumes,
        },
      },
      volumeClaimTemplates: claims.map(c => ({
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        ...c,
      })),
    },
  };
}

/** The Services ECK creates for an Elasticsearch. */
export function desiredServices(es: KubeObject): KubeObject[] {
  const name = es.metadata.name;
  const scheme = httpScheme(es);
  const selector = { [CLUSTER_NAME_LABEL]: name };
  const service = (
    serviceName: string,
    spec: any,
    template: any = {},
  ): KubeObject => ({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: serviceName,
      namespace: es.metadata.namespace,
      labels: { ...template.metadata?.labels, ...commonLabels(es) },
      ...(template.metadata?.annotations
        ? { annotations: template.metadata.annotations }
        : {}),
      ownerReferences: ownedBy(es),
    },
    spec: { ...template.spec, ...spec },
  });
  const httpPorts = [
    { name: scheme, port: HTTP_PORT, targetPort: HTTP_PORT, protocol: 'TCP' },
  ];
  const transportTemplate = es.spec?.transport?.service ?? {};
  const transportType = transportTemplate.spec?.type ?? 'ClusterIP';
  return [
    service(
      `${name}-es-http`,
      {
        type: es.spec?.http?.service?.spec?.type ?? 'ClusterIP',
        selector,
        ports: httpPorts,
      },
      es.spec?.http?.service,
    ),
    service(`${name}-es-internal-http`, {
      type: 'ClusterIP',
      selector,
      ports: httpPorts,
    }),
    service(
      `${name}-es-transport`,
      {
        type: transportType,
        ...(transportType === 'ClusterIP' ? { clusterIP: 'None' } : {}),
        selector,
        ports: [
          {
            name: 'tcp-transport',
            port: TRANSPORT_PORT,
            targetPort: TRANSPORT_PORT,
            protocol: 'TCP',
          },
        ],
      },
      transportTemplate,
    ),
    ...(es.spec?.nodeSets ?? []).map((nodeSet: any) => {
      const stsName = `${name}-es-${nodeSet.name}`;
      return service(stsName, {
        type: 'ClusterIP',
        clusterIP: 'None',
        publishNotReadyAddresses: true,
        selector: { ...selector, [STATEFULSET_NAME_LABEL]: stsName },
        ports: httpPorts,
      });
    }),
  ];
}

/**
 * The Kubernetes cluster whose Elasticsearch publishes one of the addresses
 * this Elasticsearch's remote cluster settings name, with its Elasticsearch.
 */
function leaderOf(
  ctx: ControllerContext,
  es: KubeObject,
): { cluster: string; leader: KubeObject } | undefined {
  const hosts = remoteHostsOf(es);
  if (!hosts.length) return undefined;
  for (const [name, api] of ctx.clusters) {
    if (name === ctx.cluster.name) continue;
    const services =
      api.listShared?.('v1', 'Service') ?? api.list('v1', 'Service');
    for (const service of services) {
      const owner = service.metadata.labels?.[CLUSTER_NAME_LABEL];
      const published = (service.status?.loadBalancer?.ingress ?? []).flatMap(
        (i: any) => [i?.hostname, i?.ip].filter(Boolean),
      );
      if (!owner || !published.some((h: string) => hosts.includes(h))) {
        continue;
      }
      const leader = tryGet(api, service.metadata.namespace, owner);
      if (leader) return { cluster: name, leader };
    }
  }
  return undefined;
}

function tryGet(
  api: ClusterApi,
  namespace: string | undefined,
  name: string,
): KubeObject | undefined {
  try {
    return api.get(ECK_API_VERSION, 'Elasticsearch', namespace, name);
  } catch {
    // ECK's CRD is not installed in that cluster.
    return undefined;
  }
}

const LAG_KEYS = [SIM_LAG_SECONDS, SIM_LAG_SOURCE, SIM_LAG_OBSERVED_AT];

/**
 * The annotations of the follower's data StatefulSet with its lag record
 * moved on (or dropped, when it follows nobody the world holds).
 */
function lagAnnotations(
  ctx: ControllerContext,
  sts: KubeObject,
  source: { cluster: string; leader: KubeObject } | undefined,
): Record<string, string> {
  const annotations = { ...sts.metadata.annotations };
  if (!source) {
    for (const key of [...LAG_KEYS, SIM_ENGINE]) delete annotations[key];
    return annotations;
  }
  const now = ctx.now();
  const settings = (ctx.replication ?? {}) as ReplicationSettings;
  const prevAt = Date.parse(annotations[SIM_LAG_OBSERVED_AT] ?? '');
  const sameSource = annotations[SIM_LAG_SOURCE] === source.cluster;
  if (
    sameSource &&
    Number.isFinite(prevAt) &&
    now - prevAt < lagIntervalMs(settings)
  ) {
    return annotations;
  }
  const cut =
    ctx.isDown(source.cluster) ||
    ctx.isPartitioned(source.cluster, ctx.cluster.name);
  const leaderNodes = (source.leader.spec?.nodeSets ?? []).reduce(
    (n: number, s: any) => n + Math.max(0, Number(s?.count ?? 1)),
    0,
  );
  const measured = nextLag(
    sameSource && Number.isFinite(prevAt)
      ? { lag: Number(annotations[SIM_LAG_SECONDS]) || 0, at: prevAt }
      : undefined,
    now,
    { cut, quiesced: !cut && leaderNodes === 0 },
    settings,
    jitter(now, `${ctx.cluster.name}/${sts.metadata.name}`),
  );
  annotations[SIM_LAG_SECONDS] = String(Math.round(measured.lag * 1000) / 1000);
  annotations[SIM_LAG_SOURCE] = source.cluster;
  annotations[SIM_LAG_OBSERVED_AT] = isoSeconds(now);
  annotations[SIM_ENGINE] = 'elasticsearch';
  return annotations;
}

function isReady(pod: KubeObject): boolean {
  return (pod.status?.conditions ?? []).some(
    (c: any) => c.type === 'Ready' && c.status === 'True',
  );
}

function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.-]/).map(Number);
  const pb = b.split(/[.-]/).map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] || 0) - (pb[i] || 0);
    if (d) return d;
  }
  return 0;
}

/** The status ECK reports, read from the pods it runs. */
export function elasticsearchStatus(
  es: KubeObject,
  pods: KubeObject[],
  now: number,
): any {
  const desired = (es.spec?.nodeSets ?? []).reduce(
    (n: number, s: any) => n + Math.max(0, Number(s?.count ?? 1)),
    0,
  );
  const ready = pods.filter(isReady).length;
  const quorum = Math.floor(desired / 2) + 1;
  let health = 'unknown';
  if (ready > 0 && ready >= desired) health = 'green';
  else if (ready >= quorum) health = 'yellow';
  else if (ready > 0) health = 'red';
  const specVersion = String(es.spec?.version ?? '');
  const running = pods
    .map(p => p.metadata.labels?.[VERSION_LABEL])
    .filter((v): v is string => !!v)
    .sort(compareVersions);
  const version = running[0] ?? specVersion;
  const settled =
    ready === desired &&
    pods.length === desired &&
    running.every(v => v === specVersion);
  const previous: any[] = es.status?.conditions ?? [];
  const condition = (type: string, ok: boolean, message: string) => {
    const status = ok ? 'True' : 'False';
    const before = previous.find(c => c.type === type);
    return {
      type,
      status,
      message,
      lastTransitionTime:
        before?.status === status && before.lastTransitionTime
          ? before.lastTransitionTime
          : isoSeconds(now),
    };
  };
  return {
    ...(desired > 0 || ready > 0 ? { availableNodes: ready } : {}),
    health,
    phase: settled ? 'Ready' : 'ApplyingChanges',
    version,
    observedGeneration: es.metadata.generation,
    conditions: [
      condition(
        'ReconciliationComplete',
        settled,
        settled ? '' : `${ready} of ${desired} nodes ready`,
      ),
      condition(
        'RunningDesiredVersion',
        running.every(v => v === specVersion),
        `Running version ${version}`,
      ),
      condition(
        'ElasticsearchIsReachable',
        ready > 0,
        ready > 0
          ? `Service ${es.metadata.namespace}/${es.metadata.name}-es-internal-http has endpoints`
          : `Service ${es.metadata.namespace}/${es.metadata.name}-es-internal-http has no endpoints`,
      ),
    ],
  };
}

/** One pass over one Elasticsearch. */
function reconcileElasticsearch(ctx: ControllerContext, es: KubeObject): void {
  const api = ctx.cluster;
  const namespace = es.metadata.namespace ?? 'default';
  const name = es.metadata.name;
  for (const service of desiredServices(es)) {
    publishLoadBalancer(ctx.cluster, ctx.cluster.name, ensure(api, service));
  }
  const nodeSets: any[] = es.spec?.nodeSets ?? [];
  const wanted = new Set<string>();
  const source = leaderOf(ctx, es);
  const dataSet = dataNodeSet(es);
  for (const nodeSet of nodeSets) {
    const desired = desiredStatefulSet(es, nodeSet);
    wanted.add(desired.metadata.name);
    const sts = ensure(api, desired);
    const annotations = lagAnnotations(
      ctx,
      sts,
      nodeSet.name === dataSet ? source : undefined,
    );
    if (!same(annotations, sts.metadata.annotations ?? {})) {
      api.update({ ...sts, metadata: { ...sts.metadata, annotations } });
    }
  }
  for (const sts of api.list('apps/v1', 'StatefulSet', namespace)) {
    const owned = sts.metadata.ownerReferences?.some(
      r => r.kind === 'Elasticsearch' && r.uid === es.metadata.uid,
    );
    if (owned && !wanted.has(sts.metadata.name)) {
      api.delete('apps/v1', 'StatefulSet', namespace, sts.metadata.name);
    }
  }
  const pods = api
    .list('v1', 'Pod', namespace)
    .filter(
      p =>
        p.metadata.labels?.[CLUSTER_NAME_LABEL] === name &&
        !p.metadata.deletionTimestamp,
    );
  const status = elasticsearchStatus(es, pods, ctx.now());
  if (!same(status, es.status)) {
    api.updateStatus({ ...es, status });
  }
}

/** ECK, run in every cluster that has Elasticsearch objects. */
export function eckController(): Controller {
  return {
    name: 'eck',
    reconcile(ctx) {
      if (ctx.isDown(ctx.cluster.name)) return;
      let list: KubeObject[];
      try {
        list = ctx.cluster.list(ECK_API_VERSION, 'Elasticsearch');
      } catch {
        // ECK's CRD is not installed in this cluster: nothing to operate.
        return;
      }
      for (const es of list) {
        if (!es.metadata.deletionTimestamp) reconcileElasticsearch(ctx, es);
      }
    },
  };
}

export { loadBalancerHostname };
