/*
 * The simulated Percona Server for MongoDB operator: one StatefulSet per
 * replica set, and an unmanaged site following the main site's members.
 */
import { type ControllerContext, type KubeObject } from '../../types';
import { ensure, setStatus } from '../shared';
import {
  conditionsOf,
  exposePods,
  Labels,
  port,
  PSMDB_API_VERSION,
  PSMDB_KIND,
  publishedAddresses,
  readyOf,
  service,
  statefulSet,
  versionOf,
  writeLagRecord,
} from './sites';

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

export function reconcilePsmdb(ctx: ControllerContext, cr: KubeObject): void {
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
