/*
 * Where a replica set's members live in the simulated clusters and what a
 * member starts with. The configuration comes from the ConfigMaps the pod
 * mounts: a hand-written `members.json` (an array of `{host, priority,
 * votes}` with the set name from `mongod.conf`'s `replSetName`) or the
 * template's `replicaset.json` (`{_id, members}`). A member host leads to a
 * pod: `<pod>.<cluster>.<svc>.<ns>.svc.clusterset.local` in that cluster,
 * `<pod>.<svc>.<ns>.svc.clusterset.local` in whichever cluster runs the pod
 * (Multi-Cluster Services), anything shorter in the member's own cluster.
 */
import type { KubeObject } from '../../controllers/types';
import type { ClusterStore } from '../../store/ClusterStore';
import type { PeerDirectory } from '../programs';
import type { RsConfig, RsMember } from './state';

/** Images the MongoDB emulator answers for. */
export function isMongoImage(image: string): boolean {
  const repo = image
    .split('@')[0]
    .replace(/:[^/:]*$/, '')
    .toLowerCase();
  const last = repo.slice(repo.lastIndexOf('/') + 1);
  return (
    (repo === 'mongo' ||
      repo.endsWith('/mongo') ||
      repo.endsWith('mongodb/mongodb-community-server') ||
      repo.endsWith('percona/percona-server-mongodb') ||
      repo.endsWith('bitnami/mongodb')) &&
    !last.includes('express')
  );
}

function configMapsOf(store: ClusterStore, pod: KubeObject): KubeObject[] {
  const ns = pod.metadata.namespace;
  return (pod.spec?.volumes ?? [])
    .map((v: any) => v?.configMap?.name)
    .filter(Boolean)
    .map((n: string) => store.peek('', 'ConfigMap', ns, n))
    .filter(Boolean) as KubeObject[];
}

function replSetNameOf(pod: KubeObject, conf: string | undefined): string {
  const fromConf = conf && /replSetName:\s*["']?([^"'\s#]+)/.exec(conf)?.[1];
  if (fromConf) return fromConf;
  for (const c of pod.spec?.containers ?? []) {
    const argv: string[] = [...(c.command ?? []), ...(c.args ?? [])];
    const at = argv.indexOf('--replSet');
    if (at >= 0 && argv[at + 1]) return argv[at + 1];
    const eq = argv.find(a => a.startsWith('--replSet='));
    if (eq) return eq.slice('--replSet='.length);
  }
  return 'rs0';
}

function memberOf(m: any, index: number): RsMember {
  const votes = m?.votes === undefined ? 1 : Number(m.votes);
  return {
    _id: m?._id === undefined ? index : Number(m._id),
    host: String(m?.host ?? ''),
    priority: m?.priority === undefined ? 1 : Number(m.priority),
    votes,
    ...(m?.arbiterOnly && { arbiterOnly: true }),
    ...(m?.hidden && { hidden: true }),
    ...(m?.tags && { tags: m.tags }),
  };
}

/** The configuration a pod's mounted ConfigMaps describe, or undefined (a standalone). */
export function configuredSet(
  store: ClusterStore,
  pod: KubeObject,
): RsConfig | undefined {
  for (const cm of configMapsOf(store, pod)) {
    const data = (cm.data ?? {}) as Record<string, string>;
    try {
      if (data['replicaset.json']) {
        const doc = JSON.parse(data['replicaset.json']);
        return {
          _id: String(doc._id),
          version: 1,
          term: 1,
          members: (doc.members ?? []).map(memberOf),
        };
      }
      if (data['members.json']) {
        return {
          _id: replSetNameOf(pod, data['mongod.conf']),
          version: 1,
          term: 1,
          members: JSON.parse(data['members.json']).map(memberOf),
        };
      }
    } catch {
      // A ConfigMap that does not parse configures nothing, as mongod would refuse it.
    }
  }
  return undefined;
}

/** Where a member host leads: a cluster and a pod, or undefined. */
export function locate(
  host: string,
  own: ClusterStore,
  ownNamespace: string,
  peers: PeerDirectory | undefined,
): { store: ClusterStore; pod: KubeObject } | undefined {
  const labels = host
    .replace(/:\d+$/, '')
    .toLowerCase()
    .replace(/\.$/, '')
    .split('.');
  const podName = labels[0];
  const tail = labels.slice(-2).join('.');
  const inStore = (store: ClusterStore | undefined, ns: string) => {
    const pod = store?.peek('', 'Pod', ns, podName);
    return store && pod ? { store, pod } : undefined;
  };
  if (tail === 'clusterset.local' && labels.length === 7)
    return inStore(peers?.store(labels[1]), labels[3]);
  if (tail === 'clusterset.local' && labels.length === 6) {
    const ns = labels[2];
    // Every cluster, where the directory lists them (else only this one).
    const all = (peers as { names?(): string[] } | undefined)?.names?.() ?? [];
    const names = [own.name, ...all];
    for (const name of names) {
      const found = inStore(name === own.name ? own : peers?.store(name), ns);
      if (found) return found;
    }
    return undefined;
  }
  return inStore(own, labels[2] ?? ownNamespace);
}

/** The configured member a pod is (its host's first label is the pod's name). */
export function selfMember(
  config: RsConfig,
  store: ClusterStore,
  pod: KubeObject,
  peers: PeerDirectory | undefined,
): RsMember | undefined {
  return config.members.find(m => {
    const found = locate(
      m.host,
      store,
      pod.metadata.namespace ?? 'default',
      peers,
    );
    return (
      found?.store === store && found.pod.metadata.name === pod.metadata.name
    );
  });
}
