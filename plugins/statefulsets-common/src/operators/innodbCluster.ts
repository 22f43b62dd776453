/*
 * MySQL Operator: an `InnoDBCluster` (mysql.oracle.com/v2) runs one
 * StatefulSet of the same name, a Group Replication group whose ONLINE
 * members the operator labels `mysql.oracle.com/cluster-role: PRIMARY` or
 * `SECONDARY`. Its API expresses no replication between Kubernetes clusters
 * (`spec.initDB.clone` copies a donor once, read replicas live in the same
 * Kubernetes cluster, there is no ClusterSet resource), so the convention
 * reports the group's own roles and status and draws no link: two
 * InnoDBClusters of one name in two clusters are two databases, and no side
 * is called active or passive.
 */
import { KubeObject, labelOf } from '../kube';
import { PodRole } from '../types';
import { OperatorConvention } from './types';

/** Label naming the InnoDBCluster on its StatefulSet, pods and Services. */
export const LABEL_MYSQL_CLUSTER = 'mysql.oracle.com/cluster';
/** Pod label the operator keeps with an ONLINE member's Group Replication role. */
export const LABEL_MYSQL_CLUSTER_ROLE = 'mysql.oracle.com/cluster-role';

const ID = 'mysql-operator';

/** A group member's role as the operator labels its pod (absent unless ONLINE). */
export function innodbPodRole(pod: KubeObject): PodRole {
  const role = labelOf(pod, LABEL_MYSQL_CLUSTER_ROLE);
  if (role === 'PRIMARY') return 'primary';
  if (role === 'SECONDARY') return 'replica';
  return 'unknown';
}

/** The group's state as the operator last probed it (`ONLINE`, `ONLINE_PARTIAL`, …). */
export function innodbClusterStatusOf(cluster: KubeObject): string | undefined {
  const status = cluster.status?.cluster?.status;
  return typeof status === 'string' && status ? status : undefined;
}

/** MySQL Operator's resources, as the topology reads them. */
export const innodbClusterConvention: OperatorConvention = {
  id: ID,
  title: 'MySQL Operator',
  engine: 'mysql',
  selectorOf: resource =>
    `${LABEL_MYSQL_CLUSTER}=${resource.metadata.name},tier=mysql`,
  podRoleOf: pod => {
    const role = innodbPodRole(pod);
    return role === 'unknown' ? undefined : role;
  },
  resources: objects => objects.innodbClusters,
  isRelated(resource, objects) {
    const { name, namespace } = resource.metadata;
    const runs = (o: KubeObject) =>
      o.metadata.namespace === namespace &&
      labelOf(o, LABEL_MYSQL_CLUSTER) === name;
    return objects.statefulSets.some(runs) || objects.pods.some(runs);
  },
  roleOf(statefulSet, objects) {
    const name = labelOf(statefulSet, LABEL_MYSQL_CLUSTER);
    if (!name) return undefined;
    const runs = objects.innodbClusters.some(
      c =>
        c.metadata.name === name &&
        c.metadata.namespace === statefulSet.metadata.namespace,
    );
    // The operator publishes no role between Kubernetes clusters: say who
    // runs the workload, not a role it never claimed.
    return runs ? { role: 'unknown', source: ID } : undefined;
  },
};
