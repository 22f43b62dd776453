/*
 * Plays the Zalando Postgres Operator for `acid.zalan.do/v1` postgresql
 * objects, and Patroni inside its Spilo pods: a StatefulSet `<name>` with the
 * operator's Spilo labels, the master Service `<name>` (a LoadBalancer with
 * `enableMasterLoadBalancer`, whose ingress hostname names the Kubernetes
 * cluster) and the replica Service `<name>-repl`, the `spilo-role` label on
 * each running pod (Spilo labels a standby cluster's leader `master` too),
 * and `status.PostgresClusterStatus`.
 *
 * A standby cluster (`spec.standby.standby_host`) streams from whichever
 * cluster of the world publishes that host; its lag is kept in the
 * simulator's own lag record on the StatefulSet, which `/metrics` exports,
 * as a Postgres exporter would measure it. The operator itself publishes
 * no lag.
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

/** The operator's API version. */
export const ZALANDO_API_VERSION = 'acid.zalan.do/v1';
const KIND = 'postgresql';
const DEFAULT_IMAGE = 'ghcr.io/zalando/spilo-17:4.0-p2';
/** The pod label Patroni keeps with each member's role. */
export const SPILO_ROLE = 'spilo-role';

function spiloLabels(pg: KubeObject): Record<string, string> {
  return {
    application: 'spilo',
    'cluster-name': pg.metadata.name,
    ...(pg.spec?.teamId ? { team: String(pg.spec.teamId) } : {}),
  };
}

function desiredStatefulSet(pg: KubeObject): KubeObject {
  const { name } = pg.metadata;
  const labels = spiloLabels(pg);
  const spec = pg.spec ?? {};
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: {
      name,
      namespace: pg.metadata.namespace,
      labels,
      ownerReferences: ownedBy(pg),
    },
    spec: {
      replicas: Math.max(0, Number(spec.numberOfInstances ?? 1)),
      serviceName: name,
      podManagementPolicy: 'OrderedReady',
      updateStrategy: { type: 'OnDelete' },
      selector: {
        matchLabels: { application: 'spilo', 'cluster-name': name },
      },
      template: {
        metadata: { labels },
        spec: {
          containers: [
            {
              name: 'postgres',
              image: spec.dockerImage ?? DEFAULT_IMAGE,
              ports: [
                { name: 'patroni', containerPort: 8008, protocol: 'TCP' },
                { name: 'postgresql', containerPort: 5432, protocol: 'TCP' },
              ],
              env: [
                { name: 'SCOPE', value: name },
                { name: 'PGROOT', value: '/home/postgres/pgdata/pgroot' },
                {
                  name: 'PGVERSION',
                  value: String(spec.postgresql?.version ?? '17'),
                },
              ],
              ...(spec.resources ? { resources: spec.resources } : {}),
              volumeMounts: [
                { name: 'pgdata', mountPath: '/home/postgres/pgdata' },
              ],
            },
          ],
        },
      },
      volumeClaimTemplates: [
        {
          metadata: { name: 'pgdata', labels },
          spec: {
            accessModes: ['ReadWriteOnce'],
            resources: { requests: { storage: spec.volume?.size ?? '1Gi' } },
            ...(spec.volume?.storageClass
              ? { storageClassName: spec.volume.storageClass }
              : {}),
          },
        },
      ],
    },
  };
}

function desiredServices(pg: KubeObject): KubeObject[] {
  const { name } = pg.metadata;
  const labels = spiloLabels(pg);
  const spec = pg.spec ?? {};
  const ports = [{ name: 'postgresql', port: 5432, targetPort: 5432 }];
  return [
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: {
        name,
        namespace: pg.metadata.namespace,
        labels: { ...labels, [SPILO_ROLE]: 'master' },
        ownerReferences: ownedBy(pg),
      },
      // No selector: Patroni keeps the master's endpoint itself.
      spec: {
        type: spec.enableMasterLoadBalancer ? 'LoadBalancer' : 'ClusterIP',
        ports,
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: {
        name: `${name}-repl`,
        namespace: pg.metadata.namespace,
        labels: { ...labels, [SPILO_ROLE]: 'replica' },
        ownerReferences: ownedBy(pg),
      },
      spec: {
        type: spec.enableReplicaLoadBalancer ? 'LoadBalancer' : 'ClusterIP',
        selector: {
          application: 'spilo',
          'cluster-name': name,
          [SPILO_ROLE]: 'replica',
        },
        ports,
      },
    },
  ];
}

function ordinalOf(pod: KubeObject, name: string): number | undefined {
  const rest = pod.metadata.name.slice(name.length + 1);
  return pod.metadata.name.startsWith(`${name}-`) && /^\d+$/.test(rest)
    ? Number(rest)
    : undefined;
}

function isReady(pod: KubeObject): boolean {
  return (pod.status?.conditions ?? []).some(
    (c: any) => c?.type === 'Ready' && c.status === 'True',
  );
}

/**
 * Patroni's part: the lowest running ordinal leads (`master`, in a standby
 * cluster too), the others follow; a pod not running carries no role.
 * Returns how many pods are ready.
 */
function labelRoles(api: ClusterApi, pg: KubeObject, sts: KubeObject): number {
  const { name } = pg.metadata;
  const pods = api
    .list('v1', 'Pod', pg.metadata.namespace)
    .filter(p =>
      (p.metadata.ownerReferences ?? []).some(
        o => o.kind === 'StatefulSet' && o.uid === sts.metadata.uid,
      ),
    )
    .sort((a, b) => (ordinalOf(a, name) ?? 0) - (ordinalOf(b, name) ?? 0));
  const running = pods.filter(
    p => p.status?.phase === 'Running' && !p.metadata.deletionTimestamp,
  );
  const leader = running[0]?.metadata.name;
  for (const pod of pods) {
    let role: string | undefined;
    if (running.includes(pod)) {
      role = pod.metadata.name === leader ? 'master' : 'replica';
    }
    if (pod.metadata.labels?.[SPILO_ROLE] === role) continue;
    const labels = { ...pod.metadata.labels };
    if (role) labels[SPILO_ROLE] = role;
    else delete labels[SPILO_ROLE];
    api.update({ ...pod, metadata: { ...pod.metadata, labels } });
  }
  return pods.filter(isReady).length;
}

/** The cluster of the world (not this one) whose Spilo Service publishes a host. */
function standbySourceOf(
  ctx: ControllerContext,
  host: string,
): { cluster: string; postgresql?: KubeObject } | undefined {
  for (const [name, api] of ctx.clusters) {
    if (name === ctx.cluster.name) continue;
    const services =
      api.listShared?.('v1', 'Service') ?? api.list('v1', 'Service');
    for (const svc of services) {
      if (svc.metadata.labels?.application !== 'spilo') continue;
      const published = (svc.status?.loadBalancer?.ingress ?? []).flatMap(
        (i: any) => [i?.hostname, i?.ip],
      );
      if (!published.includes(host)) continue;
      const pgName = svc.metadata.labels?.['cluster-name'];
      let postgresql: KubeObject | undefined;
      try {
        postgresql = pgName
          ? api.get(ZALANDO_API_VERSION, KIND, svc.metadata.namespace, pgName)
          : undefined;
      } catch {
        postgresql = undefined;
      }
      return { cluster: name, postgresql };
    }
  }
  return undefined;
}

/**
 * The lag record of a standby cluster's StatefulSet: moved by the shared
 * lag model, growing while the source is cut off, dropped when the
 * postgresql streams from no cluster of the world.
 */
function lagAnnotations(
  ctx: ControllerContext,
  pg: KubeObject,
  sts: KubeObject,
): Record<string, string> {
  const annotations = { ...sts.metadata.annotations };
  const host = pg.spec?.standby?.standby_host;
  const source =
    typeof host === 'string' && host ? standbySourceOf(ctx, host) : undefined;
  if (!source) {
    delete annotations[SIM_LAG_SECONDS];
    delete annotations[SIM_LAG_SOURCE];
    delete annotations[SIM_LAG_OBSERVED_AT];
    delete annotations[SIM_ENGINE];
    return annotations;
  }
  const settings = (ctx.replication ?? {}) as ReplicationSettings;
  const now = ctx.now();
  const prevAt = Date.parse(annotations[SIM_LAG_OBSERVED_AT] ?? '');
  const prevLag = Number(annotations[SIM_LAG_SECONDS]);
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
  const quiesced =
    !cut && Number(source.postgresql?.spec?.numberOfInstances ?? 1) === 0;
  const next = nextLag(
    sameSource && Number.isFinite(prevAt) && Number.isFinite(prevLag)
      ? { lag: prevLag, at: prevAt }
      : undefined,
    now,
    { cut, quiesced },
    settings,
    jitter(now, `${ctx.cluster.name}/${pg.metadata.name}`),
  );
  return {
    ...annotations,
    [SIM_LAG_SECONDS]: next.lag.toFixed(3),
    [SIM_LAG_SOURCE]: source.cluster,
    [SIM_LAG_OBSERVED_AT]: isoSeconds(now),
    [SIM_ENGINE]: 'postgresql',
  };
}

function reconcilePostgresql(ctx: ControllerContext, pg: KubeObject): void {
  const api = ctx.cluster;
  let sts = ensure(api, desiredStatefulSet(pg));
  for (const desired of desiredServices(pg)) {
    publishLoadBalancer(ctx.cluster, ctx.cluster.name, ensure(api, desired));
  }
  const annotations = lagAnnotations(ctx, pg, sts);
  if (!same(annotations, sts.metadata.annotations ?? {})) {
    sts = api.update({ ...sts, metadata: { ...sts.metadata, annotations } });
  }
  if (annotations[SIM_LAG_SOURCE]) {
    ctx.requeueAfter?.(
      lagIntervalMs((ctx.replication ?? {}) as ReplicationSettings),
    );
  }
  const ready = labelRoles(api, pg, sts);
  const wanted = Math.max(0, Number(pg.spec?.numberOfInstances ?? 1));
  const status = {
    PostgresClusterStatus: ready >= wanted ? 'Running' : 'Creating',
  };
  if (!same(pg.status ?? {}, status)) {
    api.updateStatus({ ...pg, status });
  }
}

/** The Zalando Postgres Operator (with Patroni's pod labels), run in every cluster. */
export function zalandoController(): Controller {
  return {
    name: 'zalando',
    reconcile(ctx) {
      if (ctx.isDown(ctx.cluster.name)) return;
      let postgresqls: KubeObject[];
      try {
        postgresqls = ctx.cluster.list(ZALANDO_API_VERSION, KIND);
      } catch {
        // The CRD is not installed in this cluster: nothing to operate.
        return;
      }
      for (const pg of postgresqls) {
        if (!pg.metadata.deletionTimestamp) reconcilePostgresql(ctx, pg);
      }
    },
  };
}

export { loadBalancerHostname };
