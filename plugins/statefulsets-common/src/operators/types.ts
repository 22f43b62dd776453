/*
 * The contract of an operator convention: how the topology reads what a
 * database's operator (or its Helm chart) already publishes — which of its
 * resources run the entity's pods, the role each side plays, the workloads
 * it runs without a StatefulSet, and the replication links between
 * clusters. Pure: conventions read objects and never do I/O.
 */
import { WorkloadRoleSignal } from '../chartConventions';
import { ClusterObjects, KubeObject } from '../kube';
import { ReplicationReadOptions } from '../replication';
import {
  PodRole,
  ReplicationLink,
  RoleSource,
  TopologyWorkload,
} from '../types';

/** Builds a workload's pods and claims the way `buildWorkloads` does for StatefulSets. */
export interface WorkloadParts {
  /** The workload for an operator resource, given the pods it runs. */
  workloadOf(
    resource: KubeObject,
    pods: KubeObject[],
    fields: Omit<TopologyWorkload, 'pods' | 'volumes' | 'ownership'>,
  ): TopologyWorkload;
}

/** What one operator (or chart) publishes about the databases it runs. */
export interface OperatorConvention {
  /** Shown as the role source and as the links' provider. */
  readonly id: RoleSource;
  /** Human name for the page and docs, e.g. `Strimzi`. */
  readonly title: string;
  /** The engine its databases run (`kafka`, `elasticsearch`, …), when one. */
  readonly engine?: string;
  /**
   * The label selector of the pods one of its resources runs (for
   * discovery's `backstage.io/kubernetes-label-selector`), e.g.
   * `strimzi.io/cluster=clickstream`.
   */
  selectorOf?(resource: KubeObject): string | undefined;
  /** The operator's resources in one cluster's objects (empty for a chart). */
  resources(objects: ClusterObjects): KubeObject[];
  /**
   * Whether a resource runs one of the entity's pods or StatefulSets (or
   * replicates between resources that do); unrelated resources of the same
   * namespace are dropped before the topology is built.
   */
  isRelated(resource: KubeObject, objects: ClusterObjects): boolean;
  /** The role a StatefulSet plays when this operator runs it and says so. */
  roleOf?(
    statefulSet: KubeObject,
    objects: ClusterObjects,
  ): WorkloadRoleSignal | undefined;
  /**
   * The role one pod plays when the operator labels it (Spilo's
   * `spilo-role`, the MySQL Operator's cluster role); undefined when it
   * does not say.
   */
  podRoleOf?(pod: KubeObject): PodRole | undefined;
  /** Workloads this operator runs without a StatefulSet of their own. */
  workloads?(objects: ClusterObjects, parts: WorkloadParts): TopologyWorkload[];
  /** The objects drift compares for the workloads above. */
  driftObjects?(objects: ClusterObjects): KubeObject[];
  /** Replication between clusters, one link per replica side. */
  links?(
    objectsByCluster: Record<string, ClusterObjects>,
    options: ReplicationReadOptions,
  ): ReplicationLink[];
}
