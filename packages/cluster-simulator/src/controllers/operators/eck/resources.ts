/*
 * What the simulated ECK operator makes for an Elasticsearch: its API
 * version and labels, the node sets' settings and remote-cluster hosts, one
 * StatefulSet per node set and the Services ECK names.
 */
import { type KubeObject } from '../../types';
import { ownedBy } from '../shared';

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
export function remoteHostsOf(es: KubeObject): string[] {
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
