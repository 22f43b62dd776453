/*
 * Reads the VirtualService named by the entity's traffic annotation and its
 * DestinationRules, and moves traffic by rewriting its weights. The
 * route is copied into every cluster of the mesh, so each copy is patched;
 * a destination belongs to the cluster named by its DestinationRule subset's
 * `topology.istio.io/cluster` label. Patches carry the resourceVersion read,
 * so a concurrent edit answers 409 instead of being overwritten. Every copy
 * must be stamped for the run's entity before any copy is changed.
 */
import {
  KubeObject,
  LABEL_ISTIO_CLUSTER,
  noTraffic,
  readIstioTraffic,
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
import { requireStampedFor } from './GenericStatefulSetProvider';

const API = 'networking.istio.io/v1';

interface RouteCopy {
  client: ClusterWriteClient;
  vs: KubeObject;
  /** `tcp` for databases, `http` otherwise. */
  section: 'tcp' | 'http';
  /** Cluster per destination of the first route, undefined when unlabelled. */
  owners: Array<string | undefined>;
}

function shortHost(host: string | undefined): string {
  return (host ?? '').split('.')[0];
}

/** Weights per cluster of one copy's first route. */
function weightsOf(copy: RouteCopy): Record<string, number> {
  const route: any[] = copy.vs.spec?.[copy.section]?.[0]?.route ?? [];
  const weights: Record<string, number> = {};
  route.forEach((dest, i) => {
    const owner = copy.owners[i];
    if (!owner) return;
    // Istio sends everything to a lone destination without a weight.
    const implicit = route.length === 1 ? 100 : 0;
    const w = dest?.weight === undefined ? implicit : dest.weight;
    weights[owner] = (weights[owner] ?? 0) + Number(w);
  });
  return weights;
}

/** Istio VirtualService traffic: read for the topology, written by a failover. */
export class IstioTrafficRouter implements FailoverTrafficRouter {
  readonly id = 'istio' as const;

  async readTraffic(context: EntityContext): Promise<TrafficSplit | undefined> {
    const ref = context.policy.traffic;
    if (!ref) return undefined;
    for (const view of context.clusters) {
      const vs = view.objects?.virtualServices.find(
        o =>
          o.metadata.name === ref.name &&
          o.metadata.namespace === ref.namespace,
      );
      if (vs) {
        const rules = view.objects!.destinationRules.filter(
          o => o.metadata.namespace === ref.namespace,
        );
        return readIstioTraffic(vs, rules, view.cluster.name);
      }
    }
    const unreadable = context.clusters.filter(v => !v.objects).length;
    return noTraffic(
      `VirtualService ${ref.namespace}/${ref.name} not found${
        unreadable ? ` (${unreadable} cluster(s) unreadable)` : ''
      }`,
    );
  }

  async #copies(
    ctx: TrafficRouteContext,
  ): Promise<{ copies: RouteCopy[]; unreachable: string[] }> {
    const ref = ctx.route;
    if (!ref) return { copies: [], unreachable: [] };
    const copies: RouteCopy[] = [];
    const unreachable: string[] = [];
    await Promise.all(
      ctx.clients.map(async client => {
        try {
          const vs = await client.get<KubeObject>(
            client.pathOf({
              apiVersion: API,
              kind: 'VirtualService',
              namespace: ref.namespace,
              name: ref.name,
            }),
          );
          if (!vs) return;
          const rules =
            (
              await client.get<{ items: KubeObject[] }>(
                client.pathOf({
                  apiVersion: API,
                  kind: 'DestinationRule',
                  namespace: ref.namespace,
                }),
              )
            )?.items ?? [];
          const section = vs.spec?.tcp?.length ? 'tcp' : 'http';
          const route: any[] = vs.spec?.[section]?.[0]?.route ?? [];
          const owners = route.map(dest => {
            const rule = rules.find(
              r =>
                r.spec?.host === dest?.destination?.host ||
                shortHost(r.spec?.host) === shortHost(dest?.destination?.host),
            );
            const subset = (rule?.spec?.subsets ?? []).find(
              (s: any) => s?.name === dest?.destination?.subset,
            );
            return subset?.labels?.[LABEL_ISTIO_CLUSTER] as string | undefined;
          });
          copies.push({ client, vs, section, owners });
        } catch {
          unreachable.push(client.cluster);
        }
      }),
    );
    copies.sort((a, b) => a.client.cluster.localeCompare(b.client.cluster));
    return { copies, unreachable: unreachable.sort() };
  }

  async hasRoute(ctx: TrafficRouteContext): Promise<boolean> {
    return (await this.#copies(ctx)).copies.length > 0;
  }

  async readWeights(ctx: TrafficRouteContext): Promise<Record<string, number>> {
    const { copies } = await this.#copies(ctx);
    return copies.length ? weightsOf(copies[0]) : {};
  }

  async setWeights(
    ctx: TrafficRouteContext,
    weights: Record<string, number>,
    options?: { onlyClusters?: string[] },
  ): Promise<TrafficChange> {
    const { copies, unreachable } = await this.#copies(ctx);
    const only = options?.onlyClusters;
    const previous: Record<string, Record<string, number>> = {};
    const failed: string[] = [
      ...unreachable.filter(c => !only || only.includes(c)),
    ];
    const changes: Array<{ copy: RouteCopy; sections: any[] }> = [];
    for (const copy of copies) {
      if (only && !only.includes(copy.client.cluster)) continue;
      const current = weightsOf(copy);
      previous[copy.client.cluster] = current;
      const route: any[] = copy.vs.spec[copy.section][0].route;
      const assigned = new Set<string>();
      const next = route.map((dest, i) => {
        const owner = copy.owners[i];
        // A cluster's share goes to its first destination, the rest get 0.
        const w =
          owner && !assigned.has(owner) ? Math.round(weights[owner] ?? 0) : 0;
        if (owner) assigned.add(owner);
        return { ...dest, weight: w };
      });
      if (next.every((d, i) => d.weight === route[i]?.weight)) continue;
      const sections = [...copy.vs.spec[copy.section]];
      sections[0] = { ...sections[0], route: next };
      changes.push({ copy, sections });
    }
    // All or none: one foreign copy must not leave the others half moved.
    for (const { copy } of changes) {
      requireStampedFor(copy.vs, ctx, {
        cluster: copy.client.cluster,
        kind: 'VirtualService',
      });
    }
    for (const { copy, sections } of changes) {
      await copy.client.mergePatch(
        copy.client.pathOf({
          apiVersion: API,
          kind: 'VirtualService',
          namespace: copy.vs.metadata.namespace!,
          name: copy.vs.metadata.name,
        }),
        {
          metadata: { resourceVersion: copy.vs.metadata.resourceVersion },
          spec: { [copy.section]: sections },
        },
      );
    }
    return { undo: { weights: previous }, unreachable: failed };
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
    const perCluster = (undo.weights ?? {}) as Record<
      string,
      Record<string, number>
    >;
    for (const [cluster, weights] of Object.entries(perCluster)) {
      await this.setWeights(ctx, weights, { onlyClusters: [cluster] });
    }
  }
}
