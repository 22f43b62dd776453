/*
 * One side of a Percona XtraDB Cluster cross-site replication, as the
 * failover reads and changes it: the `PerconaXtraDBCluster` that runs the
 * side's StatefulSets, its replication channels (the operator reads the
 * first one: `isSource: false` makes the site a read_only replica of the
 * highest-weight host of `sourcesList`, `isSource: true` a writable source),
 * the hosts its exposed pxc pods publish (what the other site's
 * `sourcesList` names) and the pxc pods to read the engine from.
 */
import { KubeObject } from '@multicluster/backstage-plugin-statefulsets-common';
import { FailoverSide } from '../failover';
import { MysqlServer } from './mysqlExec';
import { loadWorkload } from './GenericStatefulSetProvider';

/** API version of the operator's resource. */
export const PXC_API_VERSION = 'pxc.percona.com/v1';
/** Kind of the operator's resource. */
export const PXC_KIND = 'PerconaXtraDBCluster';
/** The label the operator puts on the pod running a replica site's channel. */
export const REPLICATION_POD_LABEL = 'percona.com/replicationPod';

/** The StatefulSets the operator runs for a resource, by their suffix. */
const PXC_WORKLOAD = /^(.+)-(pxc|haproxy|proxysql)$/;

/** The resource name a PXC StatefulSet's name implies, or undefined. */
export function pxcNameOf(workloadName: string): string | undefined {
  return PXC_WORKLOAD.exec(workloadName)?.[1];
}

/** One entry of `sourcesList`. */
export interface PxcSource {
  host: string;
  port: number;
  weight: number;
}

/** One replication channel of `spec.pxc.replicationChannels`. */
export interface PxcChannel {
  name: string;
  isSource: boolean;
  sourcesList?: PxcSource[];
  configuration?: Record<string, unknown>;
}

/** A side's resource and what the failover needs of it. */
export interface PxcSite {
  side: FailoverSide;
  /** The StatefulSet the run names (`<name>-haproxy` or `<name>-pxc`). */
  workload: KubeObject;
  resource: KubeObject;
  /** The resource's API path in the side's cluster. */
  path: string;
  channels: PxcChannel[];
}

/** The channels of a resource as stored. */
export function channelsOf(resource: KubeObject): PxcChannel[] {
  const list = resource.spec?.pxc?.replicationChannels;
  return Array.isArray(list) ? list.filter(c => c && c.name) : [];
}

/** Whether the operator runs the site as a replica (its first channel is not the source). */
export function isReplicaSite(channels: PxcChannel[]): boolean {
  return channels[0]?.isSource === false;
}

/** The channels turned into a replica's of `sources` (every channel: the operator accepts one kind only). */
export function replicaChannels(
  channels: PxcChannel[],
  sources: PxcSource[],
): PxcChannel[] {
  return channels.map(c => ({
    ...c,
    isSource: false,
    sourcesList: sources,
  }));
}

/** The channels turned into a source's: `isSource: true`, no `sourcesList`. */
export function sourceChannels(channels: PxcChannel[]): PxcChannel[] {
  return channels.map(({ sourcesList: _dropped, ...c }) => ({
    ...c,
    isSource: true,
  }));
}

/** Whether a replica's channels already name exactly these hosts. */
export function followsHosts(
  channels: PxcChannel[],
  sources: PxcSource[],
): boolean {
  const want = sources.map(s => `${s.host}:${s.port}`).sort();
  return (
    isReplicaSite(channels) &&
    channels.every(c => {
      const have = (c.sourcesList ?? [])
        .map(s => `${s.host}:${s.port ?? 3306}`)
        .sort();
      return c.isSource === false && have.join() === want.join();
    })
  );
}

/**
 * The side's resource, or undefined when its StatefulSet is not run by a
 * PerconaXtraDBCluster (another provider then acts).
 */
export async function loadPxcSite(
  side: FailoverSide,
): Promise<PxcSite | undefined> {
  const workload = await loadWorkload(side);
  const owner = workload.metadata.ownerReferences?.find(
    r => r.kind === PXC_KIND && r.apiVersion?.startsWith('pxc.percona.com/'),
  );
  if (!owner) return undefined;
  const path = side.client.pathOf({
    apiVersion: PXC_API_VERSION,
    kind: PXC_KIND,
    namespace: side.workload.namespace,
    name: owner.name,
  });
  const resource = await side.client.get<KubeObject>(path);
  if (!resource) {
    throw new Error(
      `${PXC_KIND} ${side.workload.namespace}/${owner.name} (owner of ${side.workload.name}) not found in ${side.cluster}`,
    );
  }
  return { side, workload, resource, path, channels: channelsOf(resource) };
}

/** Re-reads a site's resource (after a patch). */
export async function reloadPxcSite(site: PxcSite): Promise<PxcSite> {
  const resource = await site.side.client.get<KubeObject>(site.path);
  if (!resource) {
    throw new Error(`${site.path} disappeared from ${site.side.cluster}`);
  }
  return { ...site, resource, channels: channelsOf(resource) };
}

/** Sets a site's replication channels (a JSON merge patch replaces the list). */
export async function patchChannels(
  site: PxcSite,
  channels: PxcChannel[],
): Promise<void> {
  await site.side.client.mergePatch(site.path, {
    spec: { pxc: { replicationChannels: channels } },
  });
}

/**
 * The hosts the site's exposed pxc pods publish (their per-pod Services'
 * load balancer hostnames or IPs), as another site's `sourcesList`.
 */
export async function publishedSources(site: PxcSite): Promise<PxcSource[]> {
  const name = site.resource.metadata.name;
  const { client } = site.side;
  const path = client.pathOf({
    apiVersion: 'v1',
    kind: 'Service',
    namespace: site.side.workload.namespace,
  });
  const selector = encodeURIComponent(
    `app.kubernetes.io/instance=${name},app.kubernetes.io/name=percona-xtradb-cluster`,
  );
  const list = await client.get<{ items?: KubeObject[] }>(
    `${path}?labelSelector=${selector}`,
  );
  const podService = new RegExp(`^${name}-pxc-\\d+$`);
  return (list?.items ?? [])
    .filter(s => podService.test(s.metadata.name))
    .sort((a, b) =>
      a.metadata.name.localeCompare(b.metadata.name, undefined, {
        numeric: true,
      }),
    )
    .flatMap(s => {
      const ingress = s.status?.loadBalancer?.ingress?.[0];
      const host = ingress?.hostname ?? ingress?.ip;
      const port =
        (s.spec?.ports ?? []).find((p: any) => p?.name === 'mysql')?.port ??
        3306;
      return host
        ? [{ host: String(host), port: Number(port), weight: 100 }]
        : [];
    });
}

/** Publishes nothing: the switchover cannot point the other site here. */
export function notExposedMessage(site: PxcSite): string {
  const r = site.resource.metadata;
  return `${PXC_KIND} ${r.namespace}/${r.name} in ${site.side.cluster} publishes no host for its pxc pods, so the other site's sourcesList cannot name it; set spec.pxc.expose.enabled: true (type LoadBalancer) there, wait for the load balancers' hostnames, and retry`;
}

/** The site's pxc pods as MySQL servers to exec into (container `pxc`). */
export async function pxcServers(site: PxcSite): Promise<MysqlServer[]> {
  const { side } = site;
  const namespace = side.workload.namespace;
  const stsName = `${site.resource.metadata.name}-pxc`;
  const sts = await side.client.get<KubeObject>(
    side.client.pathOf({
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      namespace,
      name: stsName,
    }),
  );
  if (!sts) {
    throw new Error(
      `StatefulSet ${namespace}/${stsName} of ${PXC_KIND} ${site.resource.metadata.name} not found in ${side.cluster}`,
    );
  }
  const start = Number(sts.spec?.ordinals?.start ?? 0);
  const replicas = Number(sts.spec?.replicas ?? 0);
  const containers: any[] = sts.spec?.template?.spec?.containers ?? [];
  const container =
    containers.find(c => c?.name === 'pxc') ?? containers[0] ?? {};
  const port =
    (container.ports ?? []).find((p: any) => p?.name === 'mysql')
      ?.containerPort ?? 3306;
  return Array.from({ length: replicas }, (_, i) => ({
    side,
    namespace,
    pod: `${stsName}-${start + i}`,
    container: String(container.name ?? 'pxc'),
    statefulSet: sts,
    serviceName: String(sts.spec?.serviceName ?? stsName),
    port: Number(port),
  }));
}

/** The pod running the site's channel: the operator's label, else the first ordinal. */
export async function replicationServer(
  site: PxcSite,
  servers: MysqlServer[],
): Promise<MysqlServer> {
  if (!servers.length) {
    throw new Error(
      `${PXC_KIND} ${site.resource.metadata.name} in ${site.side.cluster} runs no pxc pod`,
    );
  }
  const { client, workload } = site.side;
  const path = client.pathOf({
    apiVersion: 'v1',
    kind: 'Pod',
    namespace: workload.namespace,
  });
  const list = await client
    .get<{ items?: KubeObject[] }>(
      `${path}?labelSelector=${encodeURIComponent(
        `${REPLICATION_POD_LABEL}=true,app.kubernetes.io/instance=${site.resource.metadata.name}`,
      )}`,
    )
    .catch(() => undefined);
  const labelled = list?.items?.[0]?.metadata.name;
  return servers.find(s => s.pod === labelled) ?? servers[0];
}
