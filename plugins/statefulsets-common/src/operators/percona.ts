/*
 * Percona's operators, read from what they publish without the product's
 * annotations. A `PerconaXtraDBCluster` runs StatefulSets `<name>-pxc` and
 * `<name>-haproxy` (or `-proxysql`); its `spec.pxc.replicationChannels` say
 * whether the site is the source of cross-site replication or a replica,
 * and a replica's `sourcesList` names the source's pods by the addresses
 * their Services publish. A `PerconaServerMongoDB` runs one StatefulSet
 * `<name>-<replset>` per replica set; an unmanaged site is the replica,
 * whose exposed members the main site lists as `externalNodes`.
 *
 * Neither operator reports replication lag in its status, so links carry
 * an unknown lag, which the backend's lag source (Prometheus) fills in.
 */
import { LABEL_APP_COMPONENT, LABEL_APP_NAME } from '../chartConventions';
import { annotationOf, ClusterObjects, KubeObject, labelOf } from '../kube';
import { ClusterRole, ReplicationLink, RoleSource } from '../types';
import { OperatorConvention } from './types';

const LABEL_APP_INSTANCE = 'app.kubernetes.io/instance';
const EXTERNAL_DNS_HOSTNAME = 'external-dns.alpha.kubernetes.io/hostname';

const PXC_APP = 'percona-xtradb-cluster';
const PSMDB_APP = 'percona-server-mongodb';
const PXC_KIND = 'PerconaXtraDBCluster';
const PSMDB_KIND = 'PerconaServerMongoDB';

/** Whether an object is run by an operator resource: owned by it, or carrying its instance labels. */
function runBy(
  obj: KubeObject,
  resource: KubeObject,
  kind: string,
  app: string,
): boolean {
  if (obj.metadata.namespace !== resource.metadata.namespace) return false;
  const name = resource.metadata.name;
  return (
    obj.metadata.ownerReferences?.some(
      r => r.kind === kind && r.name === name,
    ) === true ||
    (labelOf(obj, LABEL_APP_NAME) === app &&
      labelOf(obj, LABEL_APP_INSTANCE) === name)
  );
}

function relatedTo(
  resource: KubeObject,
  objects: ClusterObjects,
  kind: string,
  app: string,
): boolean {
  return [...objects.statefulSets, ...objects.pods].some(o =>
    runBy(o, resource, kind, app),
  );
}

/** The addresses a resource's Services publish (load balancers, external IPs, external-dns names). */
function publishedAddresses(
  resource: KubeObject,
  objects: ClusterObjects,
  kind: string,
  app: string,
): Set<string> {
  const addresses = new Set<string>();
  for (const svc of objects.services) {
    if (!runBy(svc, resource, kind, app)) continue;
    for (const ingress of svc.status?.loadBalancer?.ingress ?? []) {
      if (ingress?.hostname)
        addresses.add(normalHost(String(ingress.hostname)));
      if (ingress?.ip) addresses.add(normalHost(String(ingress.ip)));
    }
    for (const ip of svc.spec?.externalIPs ?? []) {
      addresses.add(normalHost(String(ip)));
    }
    // external-dns publishes the names this annotation asks for.
    for (const name of (annotationOf(svc, EXTERNAL_DNS_HOSTNAME) ?? '').split(
      ',',
    )) {
      if (name.trim()) addresses.add(normalHost(name));
    }
  }
  return addresses;
}

/** A host name as compared: DNS names are case-insensitive, a final dot is the root. */
function normalHost(host: string): string {
  return host.trim().toLowerCase().replace(/\.$/, '');
}

function hostsOf(list: unknown): string[] {
  return Array.isArray(list)
    ? list
        .map(n => n?.host)
        .filter((h): h is string => typeof h === 'string' && h.trim() !== '')
        .map(normalHost)
    : [];
}

/**
 * The link's health from the replica site's reported state; the lag is
 * unknown, as neither operator's status measures it.
 */
function linkOf(
  from: string,
  to: string,
  workload: string,
  provider: RoleSource,
  replica: KubeObject,
): ReplicationLink {
  const state: string | undefined = replica.status?.state;
  const ready = state === 'ready';
  return {
    from,
    to,
    workload,
    provider,
    lagSeconds: null,
    healthy: false,
    reason: ready
      ? "lag not in the operator's status"
      : `replica site state ${state ?? 'not reported'}`,
  };
}

function sortLinks(links: ReplicationLink[]): ReplicationLink[] {
  return links.sort((a, b) =>
    `${a.to}/${a.workload}/${a.from}`.localeCompare(
      `${b.to}/${b.workload}/${b.from}`,
    ),
  );
}

// ---------------------------------------------------------------------------
// Percona XtraDB Cluster

function pxcChannels(resource: KubeObject): any[] {
  const channels = resource.spec?.pxc?.replicationChannels;
  return Array.isArray(channels) ? channels.filter(Boolean) : [];
}

/** A site with a channel that is not the source replicates in: passive. */
function pxcSiteRole(resource: KubeObject): ClusterRole {
  return pxcChannels(resource).some(c => c.isSource === false)
    ? 'passive'
    : 'active';
}

function pxcOf(obj: KubeObject, objects: ClusterObjects) {
  return objects.perconaXtraDbClusters.find(r =>
    runBy(obj, r, PXC_KIND, PXC_APP),
  );
}

/** Percona XtraDB Cluster's resources, as the topology reads them. */
export const perconaXtraDbClusterConvention: OperatorConvention = {
  id: 'percona-xtradb-cluster',
  title: 'Percona XtraDB Cluster',
  engine: 'mysql',
  selectorOf: resource =>
    `${LABEL_APP_INSTANCE}=${resource.metadata.name},${LABEL_APP_NAME}=${PXC_APP}`,
  resources: objects => objects.perconaXtraDbClusters,
  isRelated: (resource, objects) =>
    relatedTo(resource, objects, PXC_KIND, PXC_APP),
  roleOf(statefulSet, objects) {
    const resource = pxcOf(statefulSet, objects);
    if (!resource) return undefined;
    // The proxies serve the site they run in: they take its role.
    const component = labelOf(statefulSet, LABEL_APP_COMPONENT);
    return {
      role: pxcSiteRole(resource),
      source: 'percona-xtradb-cluster',
      ...(component ? { component } : {}),
    };
  },
  links(objectsByCluster) {
    const links: ReplicationLink[] = [];
    for (const [to, objects] of Object.entries(objectsByCluster)) {
      for (const replica of objects.perconaXtraDbClusters) {
        const hosts = pxcChannels(replica)
          .filter(c => c.isSource === false)
          .flatMap(c => hostsOf(c.sourcesList));
        if (!hosts.length) continue;
        for (const [from, other] of Object.entries(objectsByCluster)) {
          if (from === to) continue;
          const publishes = other.perconaXtraDbClusters.some(source => {
            const addresses = publishedAddresses(
              source,
              other,
              PXC_KIND,
              PXC_APP,
            );
            return hosts.some(h => addresses.has(h));
          });
          if (publishes) {
            links.push(
              linkOf(
                from,
                to,
                `${replica.metadata.name}-pxc`,
                'percona-xtradb-cluster',
                replica,
              ),
            );
          }
        }
      }
    }
    return sortLinks(links);
  },
};

// ---------------------------------------------------------------------------
// Percona Server for MongoDB

function psmdbOf(obj: KubeObject, objects: ClusterObjects) {
  return objects.perconaServerMongodbs.find(r =>
    runBy(obj, r, PSMDB_KIND, PSMDB_APP),
  );
}

function replsetsOf(resource: KubeObject): any[] {
  const replsets = resource.spec?.replsets;
  return Array.isArray(replsets) ? replsets.filter(rs => rs?.name) : [];
}

/** Percona Server for MongoDB's resources, as the topology reads them. */
export const perconaServerMongodbConvention: OperatorConvention = {
  id: 'percona-server-mongodb',
  title: 'Percona Server for MongoDB',
  engine: 'mongodb',
  selectorOf: resource =>
    `${LABEL_APP_INSTANCE}=${resource.metadata.name},${LABEL_APP_NAME}=${PSMDB_APP}`,
  resources: objects => objects.perconaServerMongodbs,
  isRelated: (resource, objects) =>
    relatedTo(resource, objects, PSMDB_KIND, PSMDB_APP),
  roleOf(statefulSet, objects) {
    const resource = psmdbOf(statefulSet, objects);
    if (!resource) return undefined;
    const component = labelOf(statefulSet, LABEL_APP_COMPONENT);
    // The replica set elects its primary at run time; an arbiter holds no data.
    return {
      role: resource.spec?.unmanaged === true ? 'passive' : 'active',
      source: 'percona-server-mongodb',
      ...(component ? { component } : {}),
      ...(component === 'arbiter' ? { podRole: 'arbiter' as const } : {}),
    };
  },
  links(objectsByCluster) {
    const links: ReplicationLink[] = [];
    for (const [to, objects] of Object.entries(objectsByCluster)) {
      for (const replica of objects.perconaServerMongodbs) {
        if (replica.spec?.unmanaged !== true) continue;
        const addresses = publishedAddresses(
          replica,
          objects,
          PSMDB_KIND,
          PSMDB_APP,
        );
        if (!addresses.size) continue;
        const replsets = replsetsOf(replica);
        for (const [from, other] of Object.entries(objectsByCluster)) {
          if (from === to) continue;
          for (const main of other.perconaServerMongodbs) {
            if (main.spec?.unmanaged === true) continue;
            for (const rs of replsetsOf(main)) {
              if (!hostsOf(rs.externalNodes).some(h => addresses.has(h))) {
                continue;
              }
              const own =
                replsets.find(r => r.name === rs.name) ?? replsets[0] ?? rs;
              links.push(
                linkOf(
                  from,
                  to,
                  `${replica.metadata.name}-${own.name}`,
                  'percona-server-mongodb',
                  replica,
                ),
              );
            }
          }
        }
      }
    }
    return sortLinks(links);
  },
};
