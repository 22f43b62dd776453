/*
 * What a workload's Helm chart already says about it: the role behind the
 * `app.kubernetes.io/component` label (the Bitnami MySQL, PostgreSQL and
 * MongoDB charts' values) and the engine behind `app.kubernetes.io/name` or
 * the image. The product's own role annotation always wins over these.
 */
import { ANNOTATION_ROLE } from './annotations';
import { annotationOf, KubeObject, labelOf } from './kube';
import { ClusterRole, PodRole, RoleSource } from './types';

/** Well-known label naming a workload's part in its application (Helm charts). */
export const LABEL_APP_COMPONENT = 'app.kubernetes.io/component';
/** Well-known label naming the application (the chart name for Helm charts). */
export const LABEL_APP_NAME = 'app.kubernetes.io/name';

/**
 * Environment variables whose value differs by role by design (the Bitnami
 * charts' replication settings, and the MySQL chart's credentials and
 * database, which only the primary is given and the secondaries reach the
 * primary with); comparing them across a primary and a replica would report
 * every healthy pair as drifted.
 */
export const ROLE_SPECIFIC_ENV = new Set([
  'MYSQL_REPLICATION_MODE',
  'MYSQL_MASTER_HOST',
  'MYSQL_MASTER_PORT_NUMBER',
  'MYSQL_MASTER_ROOT_USER',
  'MYSQL_MASTER_ROOT_PASSWORD',
  'MYSQL_MASTER_ROOT_PASSWORD_FILE',
  'MYSQL_ROOT_PASSWORD',
  'MYSQL_ROOT_PASSWORD_FILE',
  'MYSQL_DATABASE',
  'MYSQL_USER',
  'MYSQL_PASSWORD',
  'MYSQL_PASSWORD_FILE',
  'MARIADB_REPLICATION_MODE',
  'MARIADB_MASTER_HOST',
  'MARIADB_MASTER_PORT_NUMBER',
  'POSTGRES_REPLICATION_MODE',
  'POSTGRES_MASTER_HOST',
  'POSTGRES_MASTER_PORT_NUMBER',
  'MONGODB_REPLICA_SET_MODE',
  'MONGODB_INITIAL_PRIMARY_HOST',
]);

/**
 * Environment variables that say where a chart's replica replicates from
 * (mode and source host): routing facts, not secrets, which the Helm chart
 * replication convention needs in clear text to resolve the source cluster.
 */
export const REPLICATION_SOURCE_ENV: ReadonlySet<string> = new Set([
  'MYSQL_REPLICATION_MODE',
  'MYSQL_MASTER_HOST',
  'MARIADB_REPLICATION_MODE',
  'MARIADB_MASTER_HOST',
  'POSTGRES_REPLICATION_MODE',
  'POSTGRES_MASTER_HOST',
  'MONGODB_REPLICA_SET_MODE',
  'MONGODB_INITIAL_PRIMARY_HOST',
]);

/** The role a workload plays and where that was read. */
export interface WorkloadRoleSignal {
  role: ClusterRole;
  source?: RoleSource;
  /** The chart's component value, when the workload carries one. */
  component?: string;
  /** The role its pods play when they carry no pod-role label of their own. */
  podRole?: PodRole;
}

/** The role set by the `multicluster-statefulsets/role` annotation, if valid. */
export function roleFromAnnotation(obj: KubeObject): ClusterRole | undefined {
  const role = annotationOf(obj, ANNOTATION_ROLE);
  return role === 'active' || role === 'passive' || role === 'fenced'
    ? role
    : undefined;
}

/**
 * The role of a StatefulSet: the role annotation when set, else what the
 * chart's component label means (`primary` → active, `secondary` / `read` →
 * passive; `arbiter` and `hidden` members hold no data a client reads, so
 * they give no role). MongoDB's shared `mongodb` component elects its
 * primary at run time, so it gives no role either.
 */
export function workloadRoleOf(obj: KubeObject): WorkloadRoleSignal {
  const raw = labelOf(obj, LABEL_APP_COMPONENT);
  const component = raw ? raw.toLowerCase() : undefined;
  const withComponent = component ? { component } : {};
  const podRole: PodRole | undefined =
    component === 'arbiter' ? 'arbiter' : undefined;
  const withPodRole = podRole ? { podRole } : {};
  const annotated = roleFromAnnotation(obj);
  if (annotated) {
    return { role: annotated, ...withComponent, ...withPodRole };
  }
  let role: ClusterRole | undefined;
  if (component === 'primary') role = 'active';
  else if (component === 'secondary' || component === 'read') role = 'passive';
  if (role) {
    return { role, source: 'chart-component-label', ...withComponent };
  }
  return { role: 'unknown', ...withComponent, ...withPodRole };
}

const ENGINE_ALIASES: Record<string, string> = {
  mysql: 'mysql',
  'mysql-server': 'mysql',
  'percona-server': 'mysql',
  'percona-xtradb-cluster': 'mysql',
  'percona-server-mongodb': 'mongodb',
  mariadb: 'mariadb',
  postgres: 'postgresql',
  postgresql: 'postgresql',
  'postgresql-repmgr': 'postgresql',
  mongo: 'mongodb',
  mongodb: 'mongodb',
  elasticsearch: 'elasticsearch',
};

/** The repository part of an image reference, without registry, tag or digest. */
function imageRepository(image: string): string {
  const noDigest = image.split('@')[0];
  const slash = noDigest.lastIndexOf('/');
  const colon = noDigest.lastIndexOf(':');
  return colon > slash ? noDigest.slice(0, colon) : noDigest;
}

/** The database engine an image runs (`bitnami/mysql:8.0` → `mysql`), if known. */
export function engineOfImage(image: string | undefined): string | undefined {
  if (!image) return undefined;
  const repo = imageRepository(image);
  const base = repo.slice(repo.lastIndexOf('/') + 1).toLowerCase();
  return ENGINE_ALIASES[base];
}

/**
 * The engine of a workload object: the chart's name label when it names a
 * known engine, else its first container's image; `postgresql` for a
 * CloudNativePG `Cluster`.
 */
export function engineOfObject(obj: KubeObject): string | undefined {
  if (obj.kind === 'Cluster') return 'postgresql';
  const named = labelOf(obj, LABEL_APP_NAME)?.toLowerCase();
  if (named && ENGINE_ALIASES[named]) return ENGINE_ALIASES[named];
  return engineOfImage(obj.spec?.template?.spec?.containers?.[0]?.image);
}

/**
 * Which kind of member a workload is, for matching counterparts across
 * clusters: data-bearing members (primary, secondary, read, MongoDB's
 * replica-set members) match one another; arbiters and hidden members only
 * their own kind.
 */
export function memberKindOf(obj: KubeObject): string {
  const component = labelOf(obj, LABEL_APP_COMPONENT)?.toLowerCase();
  return component === 'arbiter' || component === 'hidden' ? component : 'data';
}
