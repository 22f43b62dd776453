/*
 * Moves traffic with Multi-Cluster Services: the clusterset name resolves to
 * every cluster exporting the Service, so moving traffic means exporting it
 * from the target and withdrawing the export from the source. Exports are
 * all-or-nothing: a weight above zero means "exported".
 */
import { KubeObject } from '@multicluster/backstage-plugin-statefulsets-common';
import {
  FailoverTrafficRouter,
  ServiceExportTrafficRouter,
  TrafficChange,
  TrafficRouteContext,
  UndoData,
} from '@multicluster/backstage-plugin-statefulsets-node';
import { collectionPath } from './kubePaths';

const API = 'multicluster.x-k8s.io/v1alpha1';

/** MCS ServiceExport traffic router with write support. */
export class McsFailoverRouter
  extends ServiceExportTrafficRouter
  implements FailoverTrafficRouter
{
  readonly method = 'serviceexport' as const;

  #path(ctx: TrafficRouteContext): string {
    return collectionPath(API, ctx.workload.namespace, 'serviceexports');
  }

  /** Exports of the workload's services per reachable cluster. */
  async #exports(ctx: TrafficRouteContext): Promise<{
    byCluster: Record<string, KubeObject[]>;
    unreachable: string[];
  }> {
    const byCluster: Record<string, KubeObject[]> = {};
    const unreachable: string[] = [];
    await Promise.all(
      ctx.clients.map(async client => {
        try {
          const list = await client.get<{ items: KubeObject[] }>(
            this.#path(ctx),
          );
          byCluster[client.cluster] = (list?.items ?? []).filter(e =>
            e.metadata.name.startsWith(ctx.workload.name),
          );
        } catch {
          unreachable.push(client.cluster);
        }
      }),
    );
    return { byCluster, unreachable };
  }

  async hasRoute(ctx: TrafficRouteContext): Promise<boolean> {
    const { byCluster } = await this.#exports(ctx);
    return Object.values(byCluster).some(e => e.length > 0);
  }

  async readWeights(ctx: TrafficRouteContext): Promise<Record<string, number>> {
    const { byCluster } = await this.#exports(ctx);
    const exporting = Object.keys(byCluster).filter(
      c => byCluster[c].length > 0,
    );
    const weights: Record<string, number> = {};
    for (const c of Object.keys(byCluster)) {
      weights[c] = exporting.includes(c)
        ? Math.floor(100 / exporting.length)
        : 0;
    }
    return weights;
  }

  async setWeights(
    ctx: TrafficRouteContext,
    weights: Record<string, number>,
    options?: { onlyClusters?: string[] },
  ): Promise<TrafficChange> {
    const { byCluster, unreachable } = await this.#exports(ctx);
    const names = [
      ...new Set(
        Object.values(byCluster)
          .flat()
          .map(e => e.metadata.name),
      ),
    ];
    const previous: Record<string, number> = await this.readWeights(ctx);
    for (const client of ctx.clients) {
      const cluster = client.cluster;
      if (options?.onlyClusters && !options.onlyClusters.includes(cluster))
        continue;
      const existing = byCluster[cluster];
      if (!existing) continue;
      const want = (weights[cluster] ?? 0) > 0;
      for (const name of names) {
        const has = existing.some(e => e.metadata.name === name);
        if (want && !has) {
          // Copy the labels of an existing export so the new one is found
          // by the same selectors.
          const template = Object.values(byCluster)
            .flat()
            .find(e => e.metadata.name === name);
          await client.create(this.#path(ctx), {
            apiVersion: API,
            kind: 'ServiceExport',
            metadata: {
              name,
              namespace: ctx.workload.namespace,
              labels: template?.metadata.labels,
            },
          });
        } else if (!want && has) {
          await client.delete(`${this.#path(ctx)}/${name}`);
        }
      }
    }
    return {
      undo: { weights: previous },
      unreachable: unreachable.filter(
        c => !options?.onlyClusters || options.onlyClusters.includes(c),
      ),
    };
  }

  async moveTraffic(
    ctx: TrafficRouteContext,
    _from: string | undefined,
    to: string,
    options?: { onlyClusters?: string[] },
  ): Promise<TrafficChange> {
    return this.setWeights(ctx, { [to]: 100 }, options);
  }

  async restore(ctx: TrafficRouteContext, undo: UndoData): Promise<void> {
    await this.setWeights(ctx, (undo.weights ?? {}) as Record<string, number>);
  }
}
