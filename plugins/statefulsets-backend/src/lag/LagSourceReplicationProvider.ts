/*
 * Wraps a replication provider so the links it reports carry the lag a lag
 * source (Prometheus) measured: the provider still decides who replicates
 * from whom and which other problems a link has; the lag, its time and the
 * health that follows from it come from the lag source, for the engines it
 * has a query for.
 */
import {
  ANNOTATION_KUBERNETES_NAMESPACE,
  OPERATOR_CONVENTIONS,
  overlayLag,
  ReplicationLink,
} from '@multicluster/backstage-plugin-statefulsets-common';
import {
  EntityContext,
  LagSource,
  ReplicationProvider,
} from '@multicluster/backstage-plugin-statefulsets-node';

/**
 * The namespace of a link's workload: from the replica's cluster, else the
 * source's (the replica's cluster may be unreadable), else the entity's
 * namespace annotation.
 */
export function workloadNamespace(
  context: EntityContext,
  link: ReplicationLink,
): string | undefined {
  for (const name of [link.to, link.from]) {
    const objects = context.clusters.find(
      v => v.cluster.name === name,
    )?.objects;
    const found = objects
      ? [
          ...objects.statefulSets,
          ...objects.cnpgClusters,
          ...OPERATOR_CONVENTIONS.flatMap(c => c.resources(objects)),
        ].find(o => o.metadata.name === link.workload)
      : undefined;
    if (found?.metadata.namespace) return found.metadata.namespace;
  }
  return context.annotations[ANNOTATION_KUBERNETES_NAMESPACE] || undefined;
}

/** Providers of links whose lag, when known, an operator's status measured. */
const OPERATOR_LINK_PROVIDERS = new Set<string>(
  OPERATOR_CONVENTIONS.map(c => c.id),
);

/** A replication provider whose links carry a lag source's lag. */
export class LagSourceReplicationProvider implements ReplicationProvider {
  readonly id: string;
  readonly #inner: ReplicationProvider;
  readonly #lag: LagSource;

  constructor(inner: ReplicationProvider, lag: LagSource) {
    this.id = inner.id;
    this.#inner = inner;
    this.#lag = lag;
  }

  supports(context: EntityContext): boolean {
    return this.#inner.supports(context);
  }

  async readReplication(context: EntityContext): Promise<ReplicationLink[]> {
    const links = await this.#inner.readReplication(context);
    const engine = context.policy.engine;
    if (!this.#lag.supportsEngine(engine)) return links;
    const options = {
      lagSource: this.#lag.id,
      maxLagSeconds: context.policy.maxFailoverLagSeconds,
    };
    return Promise.all(
      links.map(async link => {
        // An operator's status already measured this link.
        if (
          link.lagSeconds !== null &&
          OPERATOR_LINK_PROVIDERS.has(link.provider)
        ) {
          return link;
        }
        const namespace = workloadNamespace(context, link);
        if (!namespace) {
          return overlayLag(
            link,
            {
              seconds: null,
              reason: `lag unknown: the namespace of ${link.workload} is not known`,
            },
            options,
          );
        }
        const reading = await this.#lag
          .readLag({
            engine,
            namespace,
            workload: link.workload,
            cluster: link.to,
            source: link.from,
          })
          .catch(err => ({
            seconds: null,
            reason: `lag unknown: ${
              err instanceof Error ? err.message : String(err)
            }`,
          }));
        return overlayLag(link, reading, options);
      }),
    );
  }
}
