/*
 * Reads and moves traffic with Multi-Cluster Services: the clusterset name resolves to
 * every cluster exporting the Service, so moving traffic means exporting it
 * from the target and withdrawing the export from the source. Exports are
 * all-or-nothing: a weight above zero means "exported". Only the exports
 * stamped for the run's entity are its own: a name prefix is no proof (the
 * `orders` entity must not withdraw `orders-archive`'s export).
 */
import { NotAllowedError } from '@backstage/errors';
import {
  ANNOTATION_OWNER_ENTITY,
  annotationOf,
  KubeObject,
  ownershipOf,
  ownershipRefusal,
  readServiceExportTraffic,
  TrafficSplit,
} from '@multicluster/backstage-plugin-statefulsets-common';
import {
  ClusterWriteClient,
  FailoverTrafficRouter,
  TrafficChange,
  TrafficRouteContext,
  UndoData,
} from '../failover';
import { EntityContext } from '../types';
import { byCluster as objectsByCluster } from './byCluster';

const API = 'multicluster.x-k8s.io/v1alpha1';

/** MCS ServiceExports of the entity's services: read for the topology, written by a failover. */
export class ServiceExportTrafficRouter implements FailoverTrafficRouter {
  readonly id = 'mcs' as const;

  async readTraffic(context: EntityContext): Promise<TrafficSplit | undefined> {
    const split = readServiceExportTraffic(
      objectsByCluster(context.clusters, v => v.objects?.serviceExports),
    );
    return split.routing === 'none' ? undefined : split;
  }

  #path(ctx: TrafficRouteContext, client: ClusterWriteClient): string {
    return client.pathOf({
      apiVersion: API,
      kind: 'ServiceExport',
      namespace: ctx.workload.namespace,
    });
  }

  /**
   * Per reachable cluster, the exports in the workload's namespace stamped
   * for the entity (`byCluster`) and every other export (`foreign`).
   */
  async #exports(ctx: TrafficRouteContext): Promise<{
    byCluster: Record<string, KubeObject[]>;
    foreign: Record<string, KubeObject[]>;
    unreachable: string[];
  }> {
    const byCluster: Record<string, KubeObject[]> = {};
    const foreign: Record<string, KubeObject[]> = {};
    const unreachable: string[] = [];
    await Promise.all(
      ctx.clients.map(async client => {
        try {
          const list = await client.get<{ items: KubeObject[] }>(
            this.#path(ctx, client),
          );
          const items = list?.items ?? [];
          const owned = (e: KubeObject) =>
            ownershipOf(e, ctx.entityRef).status === 'owned';
          byCluster[client.cluster] = items.filter(owned);
          foreign[client.cluster] = items.filter(e => !owned(e));
        } catch {
          unreachable.push(client.cluster);
        }
      }),
    );
    return { byCluster, foreign, unreachable };
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
    const { byCluster, foreign, unreachable } = await this.#exports(ctx);
    const names = [
      ...new Set(
        Object.values(byCluster)
          .flat()
          .map(e => e.metadata.name),
      ),
    ];
    const previous: Record<string, number> = await this.readWeights(ctx);
    const creates: Array<{ client: ClusterWriteClient; name: string }> = [];
    const deletes: Array<{ client: ClusterWriteClient; name: string }> = [];
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
          const squatter = foreign[cluster].find(e => e.metadata.name === name);
          if (squatter) {
            // Same name, someone else's (or nobody's) export: adopting it
            // would hand this entity an object it cannot prove it owns.
            throw new NotAllowedError(
              `Refusing to export ${name} from ${cluster}: ${ownershipRefusal(
                squatter,
                ctx.entityRef,
                { cluster, kind: 'ServiceExport' },
              )}`,
            );
          }
          creates.push({ client, name });
        } else if (!want && has) {
          deletes.push({ client, name });
        }
      }
    }
    // Every refusal is known before the first write: nothing half moved.
    for (const { client, name } of creates) {
      // Copy the labels and stamp of an existing export so the new one is
      // found by the same selectors and stays the entity's.
      const template = Object.values(byCluster)
        .flat()
        .find(e => e.metadata.name === name);
      await client.create(this.#path(ctx, client), {
        apiVersion: API,
        kind: 'ServiceExport',
        metadata: {
          name,
          namespace: ctx.workload.namespace,
          labels: template?.metadata.labels,
          annotations: {
            [ANNOTATION_OWNER_ENTITY]:
              annotationOf(template, ANNOTATION_OWNER_ENTITY) ?? ctx.entityRef,
          },
        },
      });
    }
    for (const { client, name } of deletes) {
      await client.delete(
        client.pathOf({
          apiVersion: API,
          kind: 'ServiceExport',
          namespace: ctx.workload.namespace,
          name,
        }),
      );
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
