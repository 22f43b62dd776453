// One StatefulSet, one pass: pods run after the readiness delay, role labels
// follow the role annotation, scale down then up (one at a time unless
// Parallel), a rolling update highest ordinal first, then the status.
import { createPod } from './createPod';
import { markRunning } from './kubelet';
import { isReady, ordinalOf } from './pods';
import { desiredPodRole, POD_ROLE_LABEL } from './podRole';
import { ensureRevision, revisionOf } from './revisions';
import type { ControllerContext, KubeObject } from '../types';

/** How long before a pod the API server refused is tried again. */
const REFUSED_POD_RETRY_MS = 10_000;

/** Converges one StatefulSet and the pods it owns (`owned`). */
export function reconcileStatefulSet(
  ctx: ControllerContext,
  sts: KubeObject,
  owned: KubeObject[],
  nodes: readonly KubeObject[],
  delay: number,
): void {
  const { cluster } = ctx;
  const ns = sts.metadata.namespace!;
  const name = sts.metadata.name;
  const spec = sts.spec ?? {};
  const replicas: number = spec.replicas ?? 1;
  const start: number = spec.ordinals?.start ?? 0;
  const parallel = spec.podManagementPolicy === 'Parallel';
  const updateRevision = revisionOf(sts);
  const event = (type: 'Normal' | 'Warning', reason: string, message: string) =>
    ctx.recordEvent?.(sts, type, reason, message);

  ensureRevision(ctx, sts, updateRevision);

  const byOrdinal = new Map<number, KubeObject>();
  // Kubelet part: pending pods become Running and Ready after the delay.
  for (const p of owned) {
    let pod = p;
    if (p.status?.phase === 'Pending' || !p.status?.phase) {
      const age = ctx.now() - Date.parse(p.metadata.creationTimestamp!);
      if (age >= delay) pod = markRunning(ctx, p) ?? p;
      else ctx.requeueAfter?.(delay - age + 5);
    }
    const o = ordinalOf(name, pod.metadata.name);
    if (o !== undefined) byOrdinal.set(o, pod);
  }

  // Pod-role labels follow the StatefulSet's role annotation.
  for (const [ord, p] of byOrdinal) {
    const role = desiredPodRole(sts, ord);
    if (role && p.metadata.labels?.[POD_ROLE_LABEL] !== role) {
      const fresh = cluster.get('v1', 'Pod', ns, p.metadata.name);
      if (fresh) {
        fresh.metadata.labels = {
          ...fresh.metadata.labels,
          [POD_ROLE_LABEL]: role,
        };
        cluster.update(fresh);
      }
    }
  }

  // Scale down: condemned ordinals go highest first.
  const condemned = [...byOrdinal.keys()]
    .filter(o => o < start || o >= start + replicas)
    .sort((a, b) => b - a);
  const deleteCount = parallel
    ? condemned.length
    : Math.min(1, condemned.length);
  for (const o of condemned.slice(0, deleteCount)) {
    const p = byOrdinal.get(o)!;
    cluster.delete('v1', 'Pod', ns, p.metadata.name);
    byOrdinal.delete(o);
    event(
      'Normal',
      'SuccessfulDelete',
      `delete Pod ${p.metadata.name} in StatefulSet ${name} successful`,
    );
    if (spec.persistentVolumeClaimRetentionPolicy?.whenScaled === 'Delete') {
      for (const t of spec.volumeClaimTemplates ?? []) {
        const claim = `${t.metadata.name}-${name}-${o}`;
        if (cluster.get('v1', 'PersistentVolumeClaim', ns, claim)) {
          cluster.delete('v1', 'PersistentVolumeClaim', ns, claim);
        }
      }
    }
  }

  // Scale up: missing ordinals, in order unless Parallel.
  let created = 0;
  for (let o = start; o < start + replicas; o++) {
    if (byOrdinal.has(o)) {
      if (!parallel && !isReady(byOrdinal.get(o)!)) break;
      continue;
    }
    if (!parallel && created > 0) break;
    if (!parallel && condemned.length > deleteCount) break;
    const pod = createPod(ctx, sts, o, updateRevision, nodes);
    // A refused pod is tried again on a later pass, as upstream's backoff.
    if (!pod) {
      ctx.requeueAfter?.(REFUSED_POD_RETRY_MS);
      break;
    }
    byOrdinal.set(o, pod);
    created++;
    if (!parallel) break;
  }

  // Rolling update: one old-revision pod at a time, highest ordinal first.
  const strategy = spec.updateStrategy?.type ?? 'RollingUpdate';
  const partition = spec.updateStrategy?.rollingUpdate?.partition ?? 0;
  const current = [...byOrdinal.entries()].sort((a, b) => b[0] - a[0]);
  if (
    strategy === 'RollingUpdate' &&
    created === 0 &&
    current.every(([, p]) => isReady(p))
  ) {
    const stale = current.find(
      ([o, p]) =>
        o - start >= partition &&
        p.metadata.labels?.['controller-revision-hash'] !== updateRevision,
    );
    if (stale) {
      cluster.delete('v1', 'Pod', ns, stale[1].metadata.name);
      byOrdinal.delete(stale[0]);
      event(
        'Normal',
        'SuccessfulDelete',
        `delete Pod ${stale[1].metadata.name} in StatefulSet ${name} successful`,
      );
    }
  }

  // Status.
  const live = [...byOrdinal.values()];
  const ready = live.filter(isReady).length;
  const updated = live.filter(
    p => p.metadata.labels?.['controller-revision-hash'] === updateRevision,
  ).length;
  const prevCurrent: string = sts.status?.currentRevision ?? updateRevision;
  const currentRevision =
    updated === live.length && live.length === replicas
      ? updateRevision
      : prevCurrent;
  const currentReplicas = live.filter(
    p => p.metadata.labels?.['controller-revision-hash'] === currentRevision,
  ).length;
  const status = {
    observedGeneration: sts.metadata.generation,
    replicas: live.length,
    readyReplicas: ready,
    availableReplicas: ready,
    currentReplicas,
    updatedReplicas: updated,
    currentRevision,
    updateRevision,
    collisionCount: 0,
  };
  if (JSON.stringify(status) !== JSON.stringify(sts.status)) {
    cluster.updateStatus({ ...sts, status });
  }
}
