/*
 * The simulated Percona XtraDB Cluster operator: `<name>-pxc` and
 * `<name>-haproxy`, and a replica site following its source over the
 * replication channels: the servers' read_only and replication follow the
 * first channel's `isSource` and `sourcesList` (pxcServers.ts), and so do
 * the replica side's lag record and whether the source site takes writes.
 */
import { type ControllerContext, type KubeObject } from '../../types';
import { ensure, setStatus } from '../shared';
import { reconcilePxcServers, siteIntentOf } from './pxcServers';
import {
  clustersPublishing,
  conditionsOf,
  exposePods,
  Labels,
  port,
  PXC_API_VERSION,
  PXC_KIND,
  readyOf,
  service,
  statefulSet,
  versionOf,
  writeLagRecord,
} from './sites';

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

/** The channels a replica site replicates on (none for the source site). */
function pxcReplicaChannels(cr: KubeObject): any[] {
  if (!siteIntentOf(cr).replica) return [];
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
  // A site turned replica is read_only: its clients write nothing.
  return (
    source.spec?.pause !== true &&
    Number(source.spec?.pxc?.size ?? 3) > 0 &&
    !siteIntentOf(source).replica
  );
}

export function reconcilePxc(ctx: ControllerContext, cr: KubeObject): void {
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
  if (!paused) reconcilePxcServers(ctx, cr, pxcName);
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
