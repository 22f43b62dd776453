/*
 * Plays Percona's operators for `PerconaXtraDBCluster` (pxc.percona.com/v1)
 * and `PerconaServerMongoDB` (psmdb.percona.com/v1) the way they lay a
 * database out: StatefulSets `<name>-pxc` and `<name>-haproxy`, or one
 * `<name>-<replset>` per replica set, with the operators' labels and
 * ownerReferences; the governing Services; one Service per pod when the
 * spec exposes the pods (a LoadBalancer gets a stable hostname naming the
 * Kubernetes cluster, what a cloud's load balancer would publish); and the
 * status the operators report.
 *
 * Cross-site replication: a PXC whose replication channel is not the source
 * replicates from the cluster publishing one of its `sourcesList` hosts; an
 * unmanaged PSMDB site replicates from the cluster whose replica set lists
 * its members as `externalNodes`. Neither operator reports that lag in its
 * status, so the replica side's StatefulSet carries the simulator's own lag
 * record (what an exporter would publish), moved by the shared lag model and
 * grown while the source is partitioned away or down.
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
  setStatus,
} from './shared';

/** The API version of Percona XtraDB Cluster resources. */
export const PXC_API_VERSION = 'pxc.percona.com/v1';
/** The kind of Percona XtraDB Cluster resources. */
export const PXC_KIND = 'PerconaXtraDBCluster';
/** The API version of Percona Server for MongoDB resources. */
export const PSMDB_API_VERSION = 'psmdb.percona.com/v1';
/** The kind of Percona Server for MongoDB resources. */
export const PSMDB_KIND = 'PerconaServerMongoDB';

type Labels = Record<string, string>;

/** One container port; names are IANA service names (at most 15 chars). */
function port(name: string, containerPort: number) {
  return { name, containerPort, protocol: 'TCP' };
}

/** A StatefulSet as the operators create it. */
function statefulSet(
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
function service(
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
function exposePods(
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
function publishedAddresses(svc: KubeObject): string[] {
  return [
    ...(svc.status?.loadBalancer?.ingress ?? []).flatMap((i: any) =>
      [i?.hostname, i?.ip].filter(Boolean),
    ),
    ...(svc.spec?.externalIPs ?? []),
  ];
}

/** The clusters (other than this one) publishing one of `hosts`, with the Service's owner. */
function clustersPublishing(
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
function writeLagRecord(
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

function readyOf(api: ClusterApi, namespace: string, name: string): number {
  const sts = api.get('apps/v1', 'StatefulSet', namespace, name);
  return Number(sts?.status?.readyReplicas ?? 0);
}

function versionOf(image: string): string | undefined {
  const tag = image.split(':')[1];
  return tag ? tag.replace(/^v/, '') : undefined;
}

/** The conditions of an operator's status: one current state, kept since it began. */
function conditionsOf(prev: any[] | undefined, state: string, now: number) {
  const last = prev?.[prev.length - 1];
  if (last?.type === state && last.status === 'True') return prev;
  return [
    ...(prev ?? []).slice(-4).map(c => ({ ...c, status: 'False' })),
    { type: state, status: 'True', lastTransitionTime: isoSeconds(now) },
  ];
}

// ---------------------------------------------------------------------------
// Percona XtraDB Cluster

const PXC_NAME = 'percona-xtradb-cluster';

function pxcLabels(name: string, component: string): Labels {
  return {
    'app.kubernetes.io/name': PXC_NAME,
    'app.kubernetes.io/instance': name,
    'app.kubernetes.io/component': component,
    'app.kubernetes.io/managed-by': 'percona-xtradb-cluster-operator',
    'app.kubernetes.io/part-of': PXC_NAME,
  };
}

const PXC_PORTS = [
  { name: 'mysql', port: 3306 },
  { name: 'sst', port: 4444 },
  { name: 'write-set', port: 4567 },
  { name: 'ist', port: 4568 },
  { name: 'mysql-admin', port: 33062 },
  { name: 'mysqlx', port: 33060 },
];

const HAPROXY_PORTS = [
  { name: 'mysql', port: 3306 },
  { name: 'mysql-replicas', port: 3307 },
  { name: 'proxy-protocol', port: 3309 },
  { name: 'mysql-admin', port: 33062 },
  { name: 'mysqlx', port: 33060 },
];

/** Whether a PXC replicates into this site through a non-source channel. */
function pxcReplicaChannels(cr: KubeObject): any[] {
  return (cr.spec?.pxc?.replicationChannels ?? []).filter(
    (c: any) => c && c.isSource === false,
  );
}

function pxcTakesWrites(
  ctx: ControllerContext,
  cluster: string,
  owner?: {
    kind: string;
    name: string;
  },
  namespace?: string,
): boolean {
  if (owner?.kind !== PXC_KIND) return true;
  const source = ctx.clusters
    .get(cluster)
    ?.get(PXC_API_VERSION, PXC_KIND, namespace, owner.name);
  if (!source) return true;
  return source.spec?.pause !== true && Number(source.spec?.pxc?.size ?? 3) > 0;
}

function reconcilePxc(ctx: ControllerContext, cr: KubeObject): void {
  const api = ctx.cluster;
  const name = cr.metadata.name;
  const namespace = cr.metadata.namespace ?? 'default';
  const spec = cr.spec ?? {};
  const paused = spec.pause === true;
  const pxcSize = paused ? 0 : Math.max(0, Number(spec.pxc?.size ?? 3));
  const pxcImage: string =
    spec.pxc?.image ?? 'percona/percona-xtradb-cluster:8.0.42-33.1';
  const haproxyOn = spec.haproxy?.enabled === true;
  const haproxySize = paused ? 0 : Math.max(0, Number(spec.haproxy?.size ?? 2));
  const haproxyImage: string = spec.haproxy?.image ?? 'percona/haproxy:2.8.15';

  const pxcName = `${name}-pxc`;
  const pxcSelector = pxcLabels(name, 'pxc');
  ensure(
    api,
    statefulSet(cr, pxcName, {
      labels: pxcSelector,
      podLabels: spec.pxc?.labels,
      replicas: pxcSize,
      containers: [
        {
          name: 'pxc',
          image: pxcImage,
          ports: PXC_PORTS.map(p => port(p.name, p.port)),
          volumeMounts: [{ name: 'datadir', mountPath: '/var/lib/mysql' }],
        },
      ],
      claim: {
        name: 'datadir',
        spec: spec.pxc?.volumeSpec?.persistentVolumeClaim,
      },
    }),
  );
  ensure(
    api,
    service(cr, pxcName, pxcSelector, pxcSelector, PXC_PORTS.slice(0, 1), {
      headless: true,
    }),
  );
  const pxcExpose = spec.pxc?.expose;
  exposePods(
    ctx,
    cr,
    pxcName,
    pxcExpose?.enabled === true ? pxcSize : 0,
    { ...pxcSelector, ...pxcExpose?.labels },
    [PXC_PORTS[0], PXC_PORTS[4], PXC_PORTS[5]],
    pxcExpose?.type ?? 'ClusterIP',
  );
  const haproxyName = `${name}-haproxy`;
  if (haproxyOn) {
    const haproxySelector = pxcLabels(name, 'haproxy');
    ensure(
      api,
      statefulSet(cr, haproxyName, {
        labels: haproxySelector,
        podLabels: spec.haproxy?.labels,
        replicas: haproxySize,
        containers: [
          {
            name: 'haproxy',
            image: haproxyImage,
            ports: HAPROXY_PORTS.map(p => port(p.name, p.port)),
          },
          { name: 'pxc-monit', image: haproxyImage },
        ],
      }),
    );
    ensure(
      api,
      service(cr, haproxyName, haproxySelector, haproxySelector, HAPROXY_PORTS),
    );
  }

  // Replication into this site: from the cluster publishing a source host.
  const channels = pxcReplicaChannels(cr);
  const hosts: string[] = channels.flatMap((c: any) =>
    (c.sourcesList ?? []).map((s: any) => s?.host).filter(Boolean),
  );
  const source = hosts.length
    ? clustersPublishing(ctx, namespace, hosts)[0]
    : undefined;
  writeLagRecord(
    ctx,
    pxcName,
    namespace,
    'mysql',
    source && {
      cluster: source.cluster,
      takesWrites: pxcTakesWrites(ctx, source.cluster, source.owner, namespace),
    },
  );

  const pxcReady = readyOf(api, namespace, pxcName);
  const haproxyReady = haproxyOn ? readyOf(api, namespace, haproxyName) : 0;
  const part = (ready: number, size: number, image: string) => ({
    size,
    ready,
    status: ready >= size ? 'ready' : 'initializing',
    image,
    version: versionOf(image),
  });
  const size = pxcSize + (haproxyOn ? haproxySize : 0);
  const ready = pxcReady + haproxyReady;
  let state = ready >= size ? 'ready' : 'initializing';
  if (paused) state = ready > 0 ? 'stopping' : 'paused';
  const now = ctx.now();
  const status = {
    state,
    ready,
    size,
    host: haproxyOn ? `${haproxyName}.${namespace}` : `${pxcName}.${namespace}`,
    observedGeneration: cr.metadata.generation,
    pxc: part(pxcReady, pxcSize, pxcImage),
    ...(haproxyOn
      ? { haproxy: part(haproxyReady, haproxySize, haproxyImage) }
      : {}),
    ...(spec.pxc?.replicationChannels?.length
      ? {
          pxcReplication: {
            replicationChannels: spec.pxc.replicationChannels.map((c: any) => ({
              name: c.name,
              ...c.configuration,
            })),
          },
        }
      : {}),
    conditions: conditionsOf(cr.status?.conditions, state, now),
  };
  setStatus(api, cr, status);
}

// ---------------------------------------------------------------------------
// Percona Server for MongoDB

const PSMDB_NAME = 'percona-server-mongodb';

function psmdbLabels(name: string, replset: string, component: string): Labels {
  return {
    'app.kubernetes.io/name': PSMDB_NAME,
    'app.kubernetes.io/instance': name,
    'app.kubernetes.io/replset': replset,
    'app.kubernetes.io/component': component,
    'app.kubernetes.io/managed-by': 'percona-server-mongodb-operator',
    'app.kubernetes.io/part-of': PSMDB_NAME,
  };
}

const MONGOD_PORTS = [{ name: 'mongodb', port: 27017 }];

/**
 * The cluster whose managed PSMDB lists one of these addresses as an
 * external node: the site this unmanaged one replicates from.
 */
function psmdbSourceOf(
  ctx: ControllerContext,
  namespace: string,
  addresses: string[],
): { cluster: string; takesWrites: boolean } | undefined {
  const own = new Set(addresses);
  for (const [name, api] of ctx.clusters) {
    if (name === ctx.cluster.name) continue;
    let others: KubeObject[] = [];
    try {
      others = api.list(PSMDB_API_VERSION, PSMDB_KIND, namespace);
    } catch {
      // The operator is not installed there.
    }
    const main = others.find(
      o =>
        o.spec?.unmanaged !== true &&
        (o.spec?.replsets ?? []).some((rs: any) =>
          (rs?.externalNodes ?? []).some((n: any) => own.has(n?.host)),
        ),
    );
    if (main) return { cluster: name, takesWrites: main.spec?.pause !== true };
  }
  return undefined;
}

function reconcilePsmdb(ctx: ControllerContext, cr: KubeObject): void {
  const api = ctx.cluster;
  const name = cr.metadata.name;
  const namespace = cr.metadata.namespace ?? 'default';
  const spec = cr.spec ?? {};
  const paused = spec.pause === true;
  const image: string = spec.image ?? 'percona/percona-server-mongodb:8.0.12-4';
  const unmanaged = spec.unmanaged === true;
  const replsets: any[] = (spec.replsets ?? []).filter((rs: any) => rs?.name);
  const published: string[] = [];
  const statuses: Record<string, unknown> = {};
  let ready = 0;
  let size = 0;
  for (const rs of replsets) {
    const stsName = `${name}-${rs.name}`;
    const labels = psmdbLabels(name, rs.name, 'mongod');
    const replicas = paused ? 0 : Math.max(0, Number(rs.size ?? 3));
    ensure(
      api,
      statefulSet(cr, stsName, {
        labels,
        podLabels: rs.labels,
        replicas,
        containers: [
          {
            name: 'mongod',
            image,
            ports: MONGOD_PORTS.map(p => port(p.name, p.port)),
            volumeMounts: [{ name: 'mongod-data', mountPath: '/data/db' }],
          },
        ],
        claim: {
          name: 'mongod-data',
          spec: rs.volumeSpec?.persistentVolumeClaim,
        },
      }),
    );
    ensure(
      api,
      service(cr, stsName, labels, labels, MONGOD_PORTS, { headless: true }),
    );
    const exposed = rs.expose?.enabled === true ? replicas : 0;
    exposePods(
      ctx,
      cr,
      stsName,
      exposed,
      {
        ...labels,
        'app.kubernetes.io/component': 'external-service',
        ...rs.expose?.serviceLabels,
      },
      MONGOD_PORTS,
      rs.expose?.type ?? rs.expose?.exposeType ?? 'ClusterIP',
    );
    for (let i = 0; i < exposed; i++) {
      const svc = api.get('v1', 'Service', namespace, `${stsName}-${i}`);
      if (svc) published.push(...publishedAddresses(svc));
    }
    const rsReady = readyOf(api, namespace, stsName);
    ready += rsReady;
    size += replicas;
    statuses[rs.name] = {
      ready: rsReady,
      size: replicas,
      status: rsReady >= replicas ? 'ready' : 'initializing',
      ...(unmanaged ? {} : { initialized: rsReady > 0 }),
    };
  }

  // An unmanaged site replicates from the site listing its members.
  const source =
    unmanaged && published.length
      ? psmdbSourceOf(ctx, namespace, published)
      : undefined;
  for (const rs of replsets) {
    writeLagRecord(ctx, `${name}-${rs.name}`, namespace, 'mongodb', source);
  }

  let state = ready >= size ? 'ready' : 'initializing';
  if (paused) state = ready > 0 ? 'stopping' : 'paused';
  const first = replsets[0]?.name;
  const status = {
    state,
    ready,
    size,
    ...(first
      ? { host: `${name}-${first}.${namespace}.svc.cluster.local` }
      : {}),
    mongoImage: image,
    mongoVersion: versionOf(image),
    observedGeneration: cr.metadata.generation,
    replsets: statuses,
    conditions: conditionsOf(cr.status?.conditions, state, ctx.now()),
  };
  setStatus(api, cr, status);
}

function listOrNone(
  api: ClusterApi,
  apiVersion: string,
  kind: string,
): KubeObject[] {
  try {
    return api.list(apiVersion, kind);
  } catch {
    // The operator's CRD is not installed in this cluster.
    return [];
  }
}

/** Percona's two operators, run in every cluster that has their resources. */
export function perconaController(): Controller {
  return {
    name: 'percona',
    reconcile(ctx) {
      if (ctx.isDown(ctx.cluster.name)) return;
      for (const cr of listOrNone(ctx.cluster, PXC_API_VERSION, PXC_KIND)) {
        if (!cr.metadata.deletionTimestamp) reconcilePxc(ctx, cr);
      }
      for (const cr of listOrNone(ctx.cluster, PSMDB_API_VERSION, PSMDB_KIND)) {
        if (!cr.metadata.deletionTimestamp) reconcilePsmdb(ctx, cr);
      }
    },
  };
}

/** Re-exported: the Percona controller publishes load balancers under this name. */
export { loadBalancerHostname };
