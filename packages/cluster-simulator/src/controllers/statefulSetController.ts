/*
 * The StatefulSet controller of the simulator (what kube-controller-manager
 * and the kubelet do together): ordinal pods with stable names and claims,
 * ordered or parallel management, readiness after a delay, rolling updates
 * highest ordinal first, status counters, the pod-role label this product
 * reads, and Endpoints for Services.
 *
 * The parts live in ./statefulSet/; this module decides which StatefulSets
 * need a pass in a round. A StatefulSet that is only a Karmada resource
 * template on the Karmada host gets none: its pods run in the members.
 */
import { isKarmadaTemplateOnly } from './federation/karmada';
import { reconcileEndpoints } from './statefulSet/endpoints';
import { reconcileStatefulSet } from './statefulSet/reconcileStatefulSet';
import { reconcileVolumes } from './statefulSet/volumeBinder';
import type {
  ClusterApi,
  Controller,
  ControllerContext,
  KubeObject,
} from './types';

export {
  desiredPodRole,
  POD_ROLE_LABEL,
  ROLE_ANNOTATION,
} from './statefulSet/podRole';
export { revisionOf } from './statefulSet/revisions';

/** Settings of the StatefulSet controller. */
export interface StatefulSetControllerOptions {
  /** How long a new pod stays Pending before it runs Ready (default 1000). */
  readinessDelayMs?: number;
}

/** A context whose writes and requeues are noticed. */
function tracking(ctx: ControllerContext): {
  ctx: ControllerContext;
  changed(): boolean;
} {
  let changed = false;
  const c = ctx.cluster;
  const mark = <T>(v: T): T => {
    changed = true;
    return v;
  };
  const cluster: ClusterApi = {
    name: c.name,
    region: c.region,
    zones: c.zones,
    federationHost: c.federationHost,
    labels: c.labels,
    list: (a, k, n) => c.list(a, k, n),
    listShared: c.listShared ? (a, k, n) => c.listShared!(a, k, n) : undefined,
    get: (a, k, n, name) => c.get(a, k, n, name),
    create: o => mark(c.create(o)),
    update: o => mark(c.update(o)),
    updateStatus: o => mark(c.updateStatus(o)),
    delete: (a, k, n, name) => mark(c.delete(a, k, n, name)),
  };
  return {
    ctx: {
      ...ctx,
      cluster,
      requeueAfter: ms => {
        changed = true;
        ctx.requeueAfter?.(ms);
      },
    },
    changed: () => changed,
  };
}

/**
 * A Karmada resource template runs nowhere on the host: the pods of the
 * host's own copy go once a policy places the template only elsewhere, as
 * Karmada removes that copy from a member it no longer selects. Claims stay,
 * as with any deleted StatefulSet that retains them.
 */
function stopTemplatePods(
  cluster: ClusterApi,
  owned: readonly KubeObject[],
): void {
  for (const p of owned) {
    if (!p.metadata.deletionTimestamp) {
      cluster.delete('v1', 'Pod', p.metadata.namespace, p.metadata.name);
    }
  }
}

/** Creates the StatefulSet controller. */
export function statefulSetController(
  options: StatefulSetControllerOptions = {},
): Controller {
  const delay = options.readinessDelayMs ?? 1000;
  const settled = new WeakMap<object, string>();
  return {
    name: 'statefulset',
    reconcile(ctx: ControllerContext) {
      const { cluster } = ctx;
      const pods =
        cluster.listShared?.('v1', 'Pod') ?? cluster.list('v1', 'Pod');
      const byOwner = new Map<string, KubeObject[]>();
      for (const p of pods) {
        const owner = p.metadata.ownerReferences?.find(
          r => r.controller && r.kind === 'StatefulSet',
        );
        if (!owner) continue;
        const l = byOwner.get(owner.uid) ?? [];
        l.push(p);
        byOwner.set(owner.uid, l);
      }
      const nodes =
        cluster.listShared?.('v1', 'Node') ?? cluster.list('v1', 'Node');
      const all =
        cluster.listShared?.('apps/v1', 'StatefulSet') ??
        cluster.list('apps/v1', 'StatefulSet');
      for (const sts of all) {
        const owned = byOwner.get(sts.metadata.uid!) ?? [];
        // Checked before the settled shortcut: a policy change turns a
        // StatefulSet into a template without touching it.
        if (isKarmadaTemplateOnly(ctx, sts)) {
          stopTemplatePods(cluster, owned);
          continue;
        }
        // A StatefulSet whose object and pods are the very ones a previous
        // round left untouched is converged; skipping it keeps ticks cheap.
        const signature = owned.map(p => p.metadata.resourceVersion).join(',');
        if (settled.get(sts) === signature) continue;
        const tracked = tracking(ctx);
        reconcileStatefulSet(tracked.ctx, sts, owned, nodes, delay);
        if (!tracked.changed()) settled.set(sts, signature);
      }
      reconcileEndpoints(ctx, pods);
      reconcileVolumes(ctx);
    },
  };
}
