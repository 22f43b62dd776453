/*
 * The replication links a generated database's engine is configured with,
 * read from the objects applied to one cluster as the engine would read
 * them: MySQL's `CHANGE REPLICATION SOURCE … SOURCE_HOST` statements in
 * `join.sh`, MongoDB's replica set members in `replicaset.json`, MirrorMaker
 * 2's `<alias>.bootstrap.servers` in `mm2.properties` (only while a
 * Deployment runs it), Elasticsearch's remote cluster seeds in
 * `remote-clusters.json` (only once a Job applies them). Each link names
 * the cluster it should reach (the channel, alias or member tag) and the
 * hosts that must lead there.
 */
import type { ClusterApi, KubeObject } from '../types';

/** One configured link: the hosts that must lead to the source cluster. */
export interface ConfiguredLink {
  /** The cluster the configuration means to reach (channel, alias, tag). */
  source: string;
  hosts: string[];
  /** Why the link cannot run whatever the hosts resolve to. */
  missing?: string;
}

/** A StatefulSet's engine and the links its configuration holds. */
export interface EngineConfig {
  engine: 'mysql' | 'mongodb' | 'kafka' | 'elasticsearch';
  links: ConfiguredLink[];
}

/**
 * The ConfigMaps a StatefulSet reads (volumes, env references) and the
 * generator's `<name>-replication`, which a CCR Job or MirrorMaker 2 may
 * read in its stead.
 */
function configMapsOf(api: ClusterApi, sts: KubeObject): KubeObject[] {
  const ns = sts.metadata.namespace;
  const spec = sts.spec?.template?.spec ?? {};
  const names = new Set<string>([
    `${sts.metadata.name}-replication`,
    ...(spec.volumes ?? []).map((v: any) => v?.configMap?.name),
    ...[...(spec.containers ?? []), ...(spec.initContainers ?? [])].flatMap(
      (c: any) =>
        (c?.env ?? []).map((e: any) => e?.valueFrom?.configMapKeyRef?.name),
    ),
  ]);
  return [...names]
    .filter(Boolean)
    .flatMap(n => api.get('v1', 'ConfigMap', ns, n) ?? []);
}

const CHANGE_SOURCE =
  /CHANGE\s+REPLICATION\s+SOURCE\s+TO\s+[^;]*?SOURCE_HOST\s*=\s*'([^']+)'[^;]*?FOR\s+CHANNEL\s+'([^']+)'/gi;

function mysqlLinks(joinScript: string): ConfiguredLink[] {
  return [...joinScript.matchAll(CHANGE_SOURCE)].map(m => ({
    source: m[2],
    hosts: [m[1]],
  }));
}

function mongodbLinks(sts: KubeObject, replicaSet: string): ConfiguredLink[] {
  const members: Array<{ host?: string; tags?: { cluster?: string } }> =
    JSON.parse(replicaSet).members ?? [];
  const bySource = new Map<string, string[]>();
  for (const m of members) {
    const source = m.tags?.cluster;
    if (!source || !m.host) continue;
    bySource.set(source, [...(bySource.get(source) ?? []), m.host]);
  }
  const runsReplset = (sts.spec?.template?.spec?.containers ?? []).some(
    (c: any) => c?.name === 'replset',
  );
  return [...bySource].map(([source, hosts]) => ({
    source,
    hosts,
    ...(runsReplset
      ? {}
      : { missing: 'no replset container forms the replica set' }),
  }));
}

function properties(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^\s*([^#!\s][^=]*?)\s*=\s*(.*?)\s*$/.exec(line);
    if (m) out.set(m[1], m[2]);
  }
  return out;
}

/** Whether a Deployment in the namespace runs MirrorMaker 2 for `target`. */
function runsMirrorMaker(
  api: ClusterApi,
  ns: string | undefined,
  configMap: string,
  target: string,
): boolean {
  return api.list('apps/v1', 'Deployment', ns).some(d => {
    const spec = d.spec?.template?.spec ?? {};
    const mounts = (spec.volumes ?? []).some(
      (v: any) => v?.configMap?.name === configMap,
    );
    return (
      mounts &&
      (d.spec?.replicas ?? 1) > 0 &&
      (spec.containers ?? []).some((c: any) => {
        const argv: string[] = [...(c.command ?? []), ...(c.args ?? [])];
        const at = argv.indexOf('--clusters');
        return (
          argv.some(a => a.endsWith('connect-mirror-maker.sh')) &&
          (at < 0 || argv.slice(at + 1).includes(target))
        );
      })
    );
  });
}

function kafkaLinks(
  api: ClusterApi,
  configMap: KubeObject,
  mm2: string,
): ConfiguredLink[] {
  const props = properties(mm2);
  const own = api.name;
  const servers = (alias: string) =>
    (props.get(`${alias}.bootstrap.servers`) ?? '')
      .split(',')
      .map(s => s.trim())
      .filter(Boolean);
  const running = runsMirrorMaker(
    api,
    configMap.metadata.namespace,
    configMap.metadata.name,
    own,
  );
  const flows = [...props]
    .map(([k, v]) => [/^([^.>\s]+)->([^.\s]+)\.enabled$/.exec(k), v] as const)
    .filter(([m, v]) => m && m[2] === own && v === 'true')
    .map(([m]) => m![1]);
  return flows.flatMap(source => [
    {
      source,
      hosts: servers(source),
      ...(running
        ? {}
        : {
            missing: `no MirrorMaker 2 runs in ${own}: mm2.properties needs a Deployment running connect-mirror-maker.sh with --clusters ${own}`,
          }),
    },
    { source: own, hosts: servers(own) },
  ]);
}

/** Whether a Job in the namespace applies the ConfigMap's CCR bodies. */
function runsCcrSetup(api: ClusterApi, configMap: KubeObject): boolean {
  return api
    .list('batch/v1', 'Job', configMap.metadata.namespace)
    .some(j =>
      (j.spec?.template?.spec?.volumes ?? []).some(
        (v: any) => v?.configMap?.name === configMap.metadata.name,
      ),
    );
}

function elasticsearchLinks(
  api: ClusterApi,
  configMap: KubeObject,
  remoteClusters: string,
): ConfiguredLink[] {
  const persistent: Record<string, unknown> =
    JSON.parse(remoteClusters).persistent ?? {};
  const applied = runsCcrSetup(api, configMap);
  const links = new Map<string, string[]>();
  for (const [key, value] of Object.entries(persistent)) {
    const m = /^cluster\.remote\.([^.]+)\.(seeds|proxy_address)$/.exec(key);
    if (!m || value === null) continue;
    const hosts = Array.isArray(value) ? value.map(String) : [String(value)];
    links.set(m[1], [...(links.get(m[1]) ?? []), ...hosts]);
  }
  return [...links].map(([source, hosts]) => ({
    source,
    hosts,
    ...(applied
      ? {}
      : {
          missing: `no CCR setup Job in ${api.name} applies remote-clusters.json (the remote cluster is never configured)`,
        }),
  }));
}

/**
 * The engine configuration of a generated StatefulSet (one that reads the
 * generator's replication ConfigMap), or undefined for any other.
 */
export function engineConfigOf(
  api: ClusterApi,
  sts: KubeObject,
): EngineConfig | undefined {
  for (const cm of configMapsOf(api, sts)) {
    const data = (cm.data ?? {}) as Record<string, string>;
    if (cm.metadata.labels?.['app.kubernetes.io/managed-by'] !== 'backstage')
      continue;
    if (data['join.sh'])
      return { engine: 'mysql', links: mysqlLinks(data['join.sh']) };
    if (data['replicaset.json'])
      return {
        engine: 'mongodb',
        links: mongodbLinks(sts, data['replicaset.json']),
      };
    if (data['mm2.properties'])
      return {
        engine: 'kafka',
        links: kafkaLinks(api, cm, data['mm2.properties']),
      };
    if (data['remote-clusters.json'])
      return {
        engine: 'elasticsearch',
        links: elasticsearchLinks(api, cm, data['remote-clusters.json']),
      };
  }
  return undefined;
}
