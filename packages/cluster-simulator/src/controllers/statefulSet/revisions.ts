// A StatefulSet's revisions: the name a pod template hashes to, and the
// ControllerRevision recording it.
import { createHash } from 'node:crypto';
import { ownerRef } from './pods';
import type { ControllerContext, KubeObject } from '../types';

// Stored objects are replaced, never changed, on every write: caching by
// object identity keeps the per-round cost of large worlds low.
const revisions = new WeakMap<object, string>();

/** The revision name of a pod template (`<sts>-<hash>`), as `controller-revision-hash`. */
export function revisionOf(sts: KubeObject): string {
  const cached = revisions.get(sts);
  if (cached) return cached;
  const h = createHash('sha256')
    .update(JSON.stringify(sts.spec?.template ?? {}))
    .digest('hex');
  const short = parseInt(h.slice(0, 12), 16).toString(36).slice(0, 10);
  const rev = `${sts.metadata.name}-${short}`;
  revisions.set(sts, rev);
  return rev;
}

// Revisions known to exist, per store (so simulators in one process never share it).
const knownRevisions = new WeakMap<object, Set<string>>();

/** Records the revision as a ControllerRevision, once per store. */
export function ensureRevision(
  ctx: ControllerContext,
  sts: KubeObject,
  revision: string,
): void {
  const ns = sts.metadata.namespace;
  const key = `${ns}/${revision}`;
  let known = knownRevisions.get(ctx.cluster);
  if (!known) knownRevisions.set(ctx.cluster, (known = new Set()));
  if (known.has(key)) return;
  if (ctx.cluster.get('apps/v1', 'ControllerRevision', ns, revision)) {
    known.add(key);
    return;
  }
  // The generation grows with every template change, so it serves as the
  // revision number without listing every revision in the namespace.
  const next = sts.metadata.generation ?? 1;
  ctx.cluster.create({
    apiVersion: 'apps/v1',
    kind: 'ControllerRevision',
    metadata: {
      name: revision,
      namespace: ns,
      labels: {
        ...sts.spec?.selector?.matchLabels,
        'controller.kubernetes.io/hash': revision.split('-').pop()!,
      },
      ownerReferences: [ownerRef(sts)],
    },
    data: { spec: { template: { ...sts.spec?.template, $patch: 'replace' } } },
    revision: next,
  });
}
