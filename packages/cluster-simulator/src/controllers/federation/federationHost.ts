// Which cluster of a world hosts which federation control plane, and the
// guard that runs a control plane's reconcile only there.
import { safeList } from './safeList';
import type { ClusterApi, Controller, ControllerContext } from '../types';

/** The federation role a world gives a cluster. */
export type FederationHost = 'karmada' | 'kubefed';

/** A ClusterApi that may expose its federation role and labels. */
export type MaybeFederated = ClusterApi & {
  federationHost?: FederationHost;
  labels?: Record<string, string>;
};

/**
 * Whether this reconcile runs in the host of the given control plane:
 * `true`/`false` from the role the world gives the cluster, or `undefined`
 * when no cluster exposes a role (then the caller decides by whether the
 * cluster holds the control plane's objects, which live nowhere else).
 */
export function isFederationHost(
  ctx: ControllerContext,
  kind: FederationHost,
): boolean | undefined {
  const own = (ctx.cluster as MaybeFederated).federationHost;
  if (own !== undefined) {
    return own === kind;
  }
  const exposed = [...ctx.clusters.values()].some(
    c => (c as MaybeFederated).federationHost !== undefined,
  );
  return exposed ? false : undefined;
}

/**
 * A control plane's controller: its reconcile runs only in the control
 * plane's host, and only while that host is up. Where no cluster exposes a
 * role, the host is the cluster that holds the control plane's own objects
 * (`apiVersion`/`kind`), which live nowhere else.
 */
export function federationController(
  kind: FederationHost,
  objects: { apiVersion: string; kind: string },
  reconcile: (ctx: ControllerContext) => void,
): Controller {
  return {
    name: kind,
    reconcile(ctx) {
      const host = isFederationHost(ctx, kind);
      if (
        host === false ||
        ctx.isDown(ctx.cluster.name) ||
        (host === undefined &&
          safeList(ctx.cluster, objects.apiVersion, objects.kind).length === 0)
      ) {
        return;
      }
      reconcile(ctx);
    },
  };
}
