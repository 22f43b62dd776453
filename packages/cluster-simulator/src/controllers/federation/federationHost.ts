// Which cluster of a world hosts which federation control plane, and the
// guard that runs a control plane's reconcile only there.
import type { Controller, ControllerContext, FederationHost } from '../types';

export type { FederationHost } from '../types';

/**
 * Whether this reconcile runs in the host of the given control plane: the
 * cluster the world installs it in (`federationHost`). A world that names no
 * host has no such control plane, as a real cluster without Karmada or
 * KubeFed installed ignores their objects, whoever holds them.
 */
export function isFederationHost(
  ctx: ControllerContext,
  kind: FederationHost,
): boolean {
  return ctx.cluster.federationHost === kind;
}

/**
 * A control plane's controller: its reconcile runs only in the control
 * plane's host, and only while that host is up.
 */
export function federationController(
  kind: FederationHost,
  reconcile: (ctx: ControllerContext) => void,
): Controller {
  return {
    name: kind,
    reconcile(ctx) {
      if (!isFederationHost(ctx, kind) || ctx.isDown(ctx.cluster.name)) {
        return;
      }
      reconcile(ctx);
    },
  };
}
