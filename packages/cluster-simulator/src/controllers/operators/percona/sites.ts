/*
 * What the simulated Percona operators share: their API versions, the
 * StatefulSets and Services they make, pods exposed per site with the
 * addresses they publish, where a replica site's source runs, its lag
 * record, and the status conditions.
 */
import { isoSeconds } from '../../../api/timestamp';
import {
  lagIntervalMs,
  nextLag,
  type ReplicationSettings,
} from '../../lagModel';
import {
  SIM_ENGINE,
  SIM_LAG_OBSERVED_AT,
  SIM_LAG_SECONDS,
  SIM_LAG_SOURCE,
} from '../../metrics';
import {
  type ClusterApi,
  type ControllerContext,
  type KubeObject,
} from '../../types';
import { ensure, jitter, ownedBy, publishLoadBalancer } from '../shared';

/** The API version of Percona XtraDB Cluster resources. */
export const PXC_API_VERSION = 'pxc.percona.com/v1';
/** The kind of Percona XtraDB Cluster resources. */
export const PXC_KIND = 'PerconaXtraDBCluster';
/** The API version of Percona Server for MongoDB resources. */
export const PSMDB_API_VERSION = 'psmdb.percona.com/v1';
/** The kind of Percona Server for MongoDB resources. */
export const PSMDB_KIND = 'PerconaServerMongoDB';

export type Labels = Record<string, string>;

/** One container port; names are IANA service names (at most 15 chars). */
export function port(name: string, containerPort: number) {
  return { name, containerPort, protocol: 'TCP' };
}

/** A StatefulSet as the operators create it. */
export function statefulSet(
  owner: KubeObject,
  name: string,
  opts: {
    labels: Labels;
    podLabels?: Labels;
    replicas: number;
    containers: unknown[];
    claim?: { name: string; spec: any };
  },
): KubeObject {
  const claim = opts.claim?.spec
    ? {
        volumeClaimTemplates: [
          {
            metadata: { name: opts.claim.name },
            spec: {
              accessModes: ['ReadWriteOnce'],
              ...opts.claim.spec,
            },
          },
        ],
      }
    : {};
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: {
      name,
      namespace: owner.metadata.namespace,
      labels: opts.labels,
      ownerReferences: ownedBy(owner),
    },
    spec: {
      replicas: opts.replicas,
      serviceName: name,
      podManagementPolicy: 'OrderedReady',
      updateStrategy: { type: 'RollingUpdate' },
      selector: { matchLabels: opts.labels },
      template: {
        metadata: { labels: { ...opts.podLabels, ...opts.labels } },
        spec: { containers: opts.containers },
      },
      ...claim,
    },
  };
}

/** A Service of the operator's, with ports named as the containers'. */
export function service(
  owner: KubeObject,
  name: string,
  labels: Labels,
  selector: Labels,
  ports: Array<{ name: string; port: number }>,
  opts: { headless?: boolean; type?: string } = {},
): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name,
      namespace: owner.metadata.namespace,
      labels,
      ownerReferences: ownedBy(owner),
    },
    spec: {
      type: opts.type ?? 'ClusterIP',
      ...(opts.headless
        ? { clusterIP: 'None', publishNotReadyAddresses: true }
        : {}),
      selector,
      ports: ports.map(p => ({
        name: p.name,
        port: p.port,
        targetPort: p.port,
        protocol: 'TCP',
      })),
    },
  };
}

/**
 * One Service per pod of a StatefulSet, named as the pod (none for pods
 * not exposed); a LoadBalancer publishes its hostname in its status as a
 * cloud's controller would.
 */
export function exposePods(
  ctx: ControllerContext,
  owner: KubeObject,
  sts: string,
  replicas: number,
  labels: Labels,
  ports: Array<{ name: string; port: number }>,
  type: string,
): void {
  const api = ctx.cluster;
  const namespace = owner.metadata.namespace ?? 'default';
  for (let i = 0; i < replicas; i++) {
    const pod = `${sts}-${i}`;
    const svc = ensure(
      api,
      service(
        owner,
        pod,
        labels,
        { 'statefulset.kubernetes.io/pod-name': pod },
        ports,
        { type },
      ),
    );
    publishLoadBalancer(api, api.name, svc);
  }
  // Pods scaled away take their Services with them.
  for (const svc of api.list('v1', 'Service', namespace)) {
    const ordinal = svc.metadata.name.startsWith(`${sts}-`)
      ? Number(svc.metadata.name.slice(sts.length + 1))
      : NaN;
    if (
      Number.isInteger(ordinal) &&
      ordinal >= replicas &&
      svc.metadata.ownerReferences?.some(r => r.uid === owner.metadata.uid)
    ) {
      api.delete('v1', 'Service', namespace, svc.metadata.name);
    }
  }
}

/** The addresses the load balancers of a cluster's Services publish. */
export function publishedAddresses(svc: KubeObject): string[] {
  return [
    ...(svc.status?.loadBalancer?.ingress ?? []).flatMap((i: any) =>
      [i?.hostname, i?.ip].filter(Boolean),
    ),
    ...(svc.spec?.externalIPs ?? []),
  ];
}

/** The clusters (other than this one) publishing one of `hosts`, with the Service's owner. */
export function clustersPublishing(
  ctx: ControllerContext,
  namespace: string,
  hosts: string[],
): Array<{ cluster: string; owner?: { kind: string; name: string } }> {
  const wanted = new Set(hosts);
  const found: Array<{
    cluster: string;
    owner?: { kind: string; name: string };
  }> = [];
  for (const [name, api] of ctx.clusters) {
    if (name === ctx.cluster.name) continue;
    const svc = api
      .list('v1', 'Service', namespace)
      .find(s => publishedAddresses(s).some(a => wanted.has(a)));
    if (svc) {
      found.push({ cluster: name, owner: svc.metadata.ownerReferences?.[0] });
    }
  }
  return found;
}

/**
 * Writes (or, without a source, removes) the simulator's lag record on the
 * replica side's StatefulSet, moving the lag with the shared model.
 */
export function writeLagRecord(
  ctx: ControllerContext,
  stsName: string,
  namespace: string,
  engine: string,
  source: { cluster: string; takesWrites: boolean } | undefined,
): void {
  const api = ctx.cluster;
  const sts = api.get('apps/v1', 'StatefulSet', namespace, stsName);
  if (!sts) return;
  const annotations = { ...sts.metadata.annotations };
  const now = ctx.now();
  const settings = (ctx.replication ?? {}) as ReplicationSettings;
  if (!source) {
    if (annotations[SIM_LAG_SOURCE] === undefined) return;
    for (const k of [
      SIM_LAG_SECONDS,
      SIM_LAG_SOURCE,
      SIM_LAG_OBSERVED_AT,
      SIM_ENGINE,
    ]) {
      delete annotations[k];
    }
  } else {
    const prevAt = Date.parse(annotations[SIM_LAG_OBSERVED_AT] ?? '');
    const sameSource = annotations[SIM_LAG_SOURCE] === source.cluster;
    if (
      sameSource &&
      Number.isFinite(prevAt) &&
      now - prevAt < lagIntervalMs(settings)
    ) {
      return;
    }
    const cut =
      ctx.isDown(source.cluster) || ctx.isPartitioned(source.cluster, api.name);
    const measured = nextLag(
      sameSource && Number.isFinite(prevAt)
        ? { lag: Number(annotations[SIM_LAG_SECONDS]) || 0, at: prevAt }
        : undefined,
      now,
      { cut, quiesced: !cut && !source.takesWrites },
      settings,
      jitter(now, `${api.name}/${namespace}/${stsName}`),
    );
    annotations[SIM_LAG_SECONDS] = String(
      Math.round(measured.lag * 1000) / 1000,
    );
    annotations[SIM_LAG_SOURCE] = source.cluster;
    annotations[SIM_LAG_OBSERVED_AT] = isoSeconds(now);
    annotations[SIM_ENGINE] = engine;
  }
  api.update({ ...sts, metadata: { ...sts.metadata, annotations } });
}

export function readyOf(
  api: ClusterApi,
  namespace: string,
  name: string,
): number {
  const sts = api.get('apps/v1', 'StatefulSet', namespace, name);
  return Number(sts?.status?.readyReplicas ?? 0);
}

export function versionOf(image: string): string | undefined {
  const tag = image.split(':')[1];
  return tag ? tag.replace(/^v/, '') : undefined;
}

/** The conditions of an operator's status: one current state, kept since it began. */
export function conditionsOf(
  prev: any[] | undefined,
  state: string,
  now: number,
) {
  const last = prev?.[prev.length - 1];
  if (last?.type === state && last.status === 'True') return prev;
  return [
    ...(prev ?? []).slice(-4).map(c => ({ ...c, status: 'False' })),
    { type: state, status: 'True', lastTransitionTime: isoSeconds(now) },
  ];
}

// ---------------------------------------------------------------------------
// Percona XtraDB Cluster
