/*
 * Plays the CloudNativePG operator for `postgresql.cnpg.io/v1` Cluster
 * objects: instance pods `<name>-1..N` and their data claims (no
 * StatefulSet), the status counters, fencing through the
 * `cnpg.io/fencedInstances` annotation, and the replica-cluster switchover
 * between Kubernetes clusters: a primary whose `spec.replica.primary` moves
 * away demotes and publishes `status.demotionToken`; the other side promotes
 * only when its `spec.replica.promotionToken` equals that token and it has
 * replayed up to it (or, without a token, when `spec.replica.enabled` is
 * false: a plain failover).
 *
 * Lag of a replica side, in seconds, is kept in `status.replicationLag`
 * `{ source, seconds, observedAt }` (an addition of the simulator; upstream
 * exposes it as a metric) and, when the Cluster opts in by carrying the
 * `multicluster-statefulsets/role` annotation, in the same
 * `multicluster-statefulsets/replication-lag-*` annotations StatefulSets
 * carry, with role/source annotations kept in step with the actual side.
 *
 * The parts live in ./cnpg/; this module runs them in order for each Cluster.
 */
import { API_VERSION, FENCED, parseFenced } from './cnpg/clusterResource';
import { clusterStatus, sideAnnotations } from './cnpg/clusterStatus';
import { ensureInstances } from './cnpg/instances';
import { sourceTakesWrites } from './cnpg/peers';
import { nextLag } from './cnpg/replicationLag';
import { settleRole } from './cnpg/switchover';
import { cnpgSourceLink, isGenerated } from './replication/cnpgLink';
import type { Controller, ControllerContext, KubeObject } from './types';

export { PHASE_FENCED } from './cnpg/clusterStatus';
export {
  decodeDemotionToken,
  type DemotionTokenContent,
} from './cnpg/demotionToken';
export { PROMOTION_CONDITION } from './cnpg/switchover';

/**
 * One pass over one Cluster: the side settles first, because the instances'
 * roles, the lag and the status all follow from it.
 */
function reconcileCluster(ctx: ControllerContext, cluster: KubeObject): void {
  const api = ctx.cluster;
  const now = ctx.now();
  const name = cluster.metadata.name;
  const namespace = cluster.metadata.namespace ?? 'default';
  const spec = cluster.spec ?? {};
  const status = cluster.status ?? {};
  const count = Math.max(0, Number(spec.instances ?? 1));
  const instances = Array.from({ length: count }, (_, i) => `${name}-${i + 1}`);
  const fenced = parseFenced(cluster.metadata.annotations?.[FENCED], instances);
  const image: string =
    spec.imageName ?? 'ghcr.io/cloudnative-pg/postgresql:17';
  // A generated Cluster streams from where its externalClusters entry
  // really leads (and only if the TLS handshake can succeed).
  const link =
    isGenerated(cluster) && spec.replica?.source
      ? cnpgSourceLink(ctx, cluster)
      : undefined;
  const source: string = link ? link.cluster ?? '' : spec.replica?.source ?? '';
  const sourceWrites = sourceTakesWrites(ctx, namespace, name, source);

  const side = settleRole(ctx, cluster, sourceWrites);
  const { role } = side;
  const primaryPod: string = instances.includes(status.currentPrimary)
    ? status.currentPrimary
    : instances[0];
  const readyPods = ensureInstances(api, cluster, {
    instances,
    fenced,
    role,
    primaryPod,
    image,
    now,
  });
  const lag =
    role === 'replica' && source
      ? nextLag(ctx, cluster, source, sourceWrites, side.restartLag)
      : undefined;

  const nextStatus = clusterStatus(cluster, {
    side,
    instances,
    fenced,
    readyPods,
    primaryPod,
    image,
    lag,
    now,
  });
  const annotations = sideAnnotations(cluster, {
    instances,
    fenced,
    lag,
    role,
    source:
      link?.error !== undefined
        ? cluster.metadata.annotations?.[
            'multicluster-statefulsets/replication-source'
          ] ?? ''
        : source,
    error: link?.error,
  });
  let current = cluster;
  if (
    JSON.stringify(annotations) !==
    JSON.stringify(cluster.metadata.annotations ?? {})
  ) {
    current = api.update({
      ...cluster,
      metadata: { ...cluster.metadata, annotations },
    });
  }
  if (JSON.stringify(nextStatus) !== JSON.stringify(status)) {
    api.updateStatus({ ...current, status: nextStatus });
  }
}

/** The CloudNativePG operator, run in every cluster that has Cluster objects. */
export function cnpgController(): Controller {
  return {
    name: 'cloudnative-pg',
    reconcile(ctx) {
      if (ctx.isDown(ctx.cluster.name)) {
        return;
      }
      let clusters: KubeObject[];
      try {
        clusters = ctx.cluster.list(API_VERSION, 'Cluster');
      } catch {
        // The CRD is not installed in this cluster: nothing to operate.
        return;
      }
      for (const cluster of clusters) {
        if (!cluster.metadata.deletionTimestamp) {
          reconcileCluster(ctx, cluster);
        }
      }
    },
  };
}
