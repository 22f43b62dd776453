/*
 * The built-in replication providers and traffic routers: thin adapters from
 * the extension point contracts to the pure readers in the common package.
 * Published here so modules can wrap or reorder them.
 */
import {
  KubeObject,
  noTraffic,
  readIstioTraffic,
  readServiceExportTraffic,
  replicationFromAnnotations,
  replicationFromCnpg,
  ReplicationLink,
  TrafficSplit,
} from '@multicluster/backstage-plugin-statefulsets-common';
import {
  ClusterView,
  EntityContext,
  ReplicationProvider,
  TrafficRouter,
} from './types';

function byCluster(
  clusters: ClusterView[],
  pick: (v: ClusterView) => KubeObject[] | undefined,
): Record<string, KubeObject[]> {
  const out: Record<string, KubeObject[]> = {};
  for (const view of clusters) {
    const objects = pick(view);
    if (objects) out[view.cluster.name] = objects;
  }
  return out;
}

/** Reads the role and lag annotations that a replication exporter keeps on each StatefulSet. */
export class AnnotationReplicationProvider implements ReplicationProvider {
  readonly id = 'generic';

  supports(): boolean {
    return true;
  }

  async readReplication(context: EntityContext): Promise<ReplicationLink[]> {
    return replicationFromAnnotations(
      byCluster(context.clusters, v => v.objects?.statefulSets),
      { now: context.now, maxLagSeconds: context.policy.maxFailoverLagSeconds },
    );
  }
}

/** Reads CloudNativePG replica clusters (`spec.replica`) across Kubernetes clusters. */
export class CloudNativePgReplicationProvider implements ReplicationProvider {
  readonly id = 'cloudnative-pg';

  supports(context: EntityContext): boolean {
    return context.clusters.some(
      v => (v.objects?.cnpgClusters.length ?? 0) > 0,
    );
  }

  async readReplication(context: EntityContext): Promise<ReplicationLink[]> {
    return replicationFromCnpg(
      byCluster(context.clusters, v => v.objects?.cnpgClusters),
      { now: context.now, maxLagSeconds: context.policy.maxFailoverLagSeconds },
    );
  }
}

/** Reads the VirtualService named by the entity's traffic annotation and its DestinationRules. */
export class IstioTrafficRouter implements TrafficRouter {
  readonly id = 'istio';

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
}

/** Reads MCS ServiceExports of the entity's services. */
export class ServiceExportTrafficRouter implements TrafficRouter {
  readonly id = 'mcs';

  async readTraffic(context: EntityContext): Promise<TrafficSplit | undefined> {
    const split = readServiceExportTraffic(
      byCluster(context.clusters, v => v.objects?.serviceExports),
    );
    return split.source === 'none' ? undefined : split;
  }
}
