/*
 * Zalando Postgres Operator: a `postgresql` resource (acid.zalan.do/v1) runs
 * one StatefulSet of the same name whose Spilo pods Patroni labels with
 * their role. Between Kubernetes clusters the operator knows one relation:
 * a standby cluster (`spec.standby`) streaming from a host. The convention
 * reads the standby side as passive and finds its source by the address
 * that source publishes (a LoadBalancer Service's ingress or its
 * external-dns hostname, or the Multi-Cluster Services name of a Service it
 * exports); the operator publishes no lag, so links leave it to the lag
 * source (Prometheus).
 */
import { ClusterObjects, KubeObject, labelOf } from '../kube';
import { PodRole, ReplicationLink } from '../types';
import { resolveReplicationHost } from './chartReplication';
import { OperatorConvention } from './types';

/** Label naming the Spilo application on the operator's objects. */
export const LABEL_SPILO_APPLICATION = 'application';
/** Label naming the `postgresql` resource on its StatefulSet, pods and Services. */
export const LABEL_SPILO_CLUSTER_NAME = 'cluster-name';
/** Pod label Patroni keeps with the member's role (Spilo's default name). */
export const LABEL_SPILO_ROLE = 'spilo-role';
/** Annotation the operator puts on LoadBalancer Services for external-dns. */
const ANNOTATION_EXTERNAL_DNS = 'external-dns.alpha.kubernetes.io/hostname';

const ID = 'zalando-postgres-operator';

function isSpilo(obj: KubeObject): boolean {
  return labelOf(obj, LABEL_SPILO_APPLICATION) === 'spilo';
}

function postgresqlOf(
  objects: ClusterObjects,
  namespace: string | undefined,
  name: string | undefined,
): KubeObject | undefined {
  if (!name) return undefined;
  return objects.zalandoPostgresqls.find(
    p => p.metadata.name === name && p.metadata.namespace === namespace,
  );
}

/** The host a standby cluster streams from, when it streams from one. */
export function standbyHostOf(postgresql: KubeObject): string | undefined {
  const host = postgresql.spec?.standby?.standby_host;
  return typeof host === 'string' && host ? host : undefined;
}

/** Whether a `postgresql` is a standby cluster (from a host or a WAL archive). */
export function isStandbyCluster(postgresql: KubeObject): boolean {
  const standby = postgresql.spec?.standby;
  return (
    !!standby &&
    typeof standby === 'object' &&
    Object.values(standby).some(v => typeof v === 'string' && v !== '')
  );
}

/**
 * A Spilo pod's role as Patroni labels it. Spilo labels a standby cluster's
 * leader `master` too, so `primary` here means "leads its cluster", not
 * "takes writes": the workload's role says which.
 */
export function spiloPodRole(pod: KubeObject): PodRole {
  const role = labelOf(pod, LABEL_SPILO_ROLE);
  if (role === 'master' || role === 'primary' || role === 'standby_leader')
    return 'primary';
  if (role === 'replica') return 'replica';
  return 'unknown';
}

/** The addresses a Service publishes outside its Kubernetes cluster. */
function publishedAddresses(service: KubeObject): string[] {
  const ingress: any[] = service.status?.loadBalancer?.ingress ?? [];
  const dns = (service.metadata.annotations?.[ANNOTATION_EXTERNAL_DNS] ?? '')
    .split(',')
    .map(h => h.trim());
  return [
    ...ingress.flatMap(i => [i?.hostname, i?.ip]),
    ...(service.spec?.externalIPs ?? []),
    ...dns,
  ]
    .filter((a): a is string => typeof a === 'string' && a !== '')
    .map(a => a.toLowerCase().replace(/\.$/, ''));
}

/** The Kubernetes cluster whose Spilo Service publishes a host. */
function sourceClusterOf(
  host: string,
  objectsByCluster: Record<string, ClusterObjects>,
  except: string,
): string | undefined {
  const wanted = host.toLowerCase().replace(/\.$/, '');
  for (const [cluster, objects] of Object.entries(objectsByCluster)) {
    if (cluster === except) continue;
    if (
      objects.services.some(
        s => isSpilo(s) && publishedAddresses(s).includes(wanted),
      )
    ) {
      return cluster;
    }
  }
  return undefined;
}

/**
 * The other cluster a Multi-Cluster Services name (`*.svc.clusterset.local`)
 * leads to: the one exporting that Service.
 */
function exportingClusterOf(
  host: string,
  standbyCluster: string,
  objectsByCluster: Record<string, ClusterObjects>,
): string | undefined {
  const resolved = resolveReplicationHost(
    host,
    standbyCluster,
    objectsByCluster,
  );
  return resolved.kind === 'cluster' &&
    resolved.via === 'clusterset' &&
    resolved.cluster !== standbyCluster
    ? resolved.cluster
    : undefined;
}

/** Zalando Postgres Operator's resources, as the topology reads them. */
export const zalandoConvention: OperatorConvention = {
  id: ID,
  title: 'Zalando Postgres Operator',
  engine: 'postgresql',
  selectorOf: resource =>
    `${LABEL_SPILO_CLUSTER_NAME}=${resource.metadata.name},${LABEL_SPILO_APPLICATION}=spilo`,
  podRoleOf: pod => {
    const role = spiloPodRole(pod);
    return role === 'unknown' ? undefined : role;
  },
  resources: objects => objects.zalandoPostgresqls,
  isRelated(resource, objects) {
    const { name, namespace } = resource.metadata;
    const runs = (o: KubeObject) =>
      o.metadata.namespace === namespace &&
      isSpilo(o) &&
      labelOf(o, LABEL_SPILO_CLUSTER_NAME) === name;
    return objects.statefulSets.some(runs) || objects.pods.some(runs);
  },
  roleOf(statefulSet, objects) {
    if (!isSpilo(statefulSet)) return undefined;
    const postgresql = postgresqlOf(
      objects,
      statefulSet.metadata.namespace,
      labelOf(statefulSet, LABEL_SPILO_CLUSTER_NAME),
    );
    if (!postgresql) return undefined;
    return {
      role: isStandbyCluster(postgresql) ? 'passive' : 'active',
      source: ID,
    };
  },
  links(objectsByCluster) {
    const links: ReplicationLink[] = [];
    for (const [cluster, objects] of Object.entries(objectsByCluster)) {
      for (const postgresql of objects.zalandoPostgresqls) {
        const host = standbyHostOf(postgresql);
        if (!host) continue;
        // A host no configured cluster publishes (another region's
        // database, a bare IP) names no cluster to draw the link from.
        const from =
          sourceClusterOf(host, objectsByCluster, cluster) ??
          exportingClusterOf(host, cluster, objectsByCluster);
        if (!from) continue;
        const status: string | undefined =
          postgresql.status?.PostgresClusterStatus;
        const notRunning = status !== undefined && status !== 'Running';
        links.push({
          from,
          to: cluster,
          workload: postgresql.metadata.name,
          provider: ID,
          lagSeconds: null,
          healthy: false,
          reason: notRunning
            ? `standby cluster status ${status}`
            : 'lag not published by the Zalando Postgres Operator',
        });
      }
    }
    return links.sort((a, b) =>
      `${a.to}/${a.workload}`.localeCompare(`${b.to}/${b.workload}`),
    );
  },
};
