/*
 * Where an emulated Elasticsearch cluster lives: every pod of a StatefulSet
 * running an Elasticsearch image is a node of one cluster, whose state is an
 * annotation on the claim of the StatefulSet's first pod (its data volume,
 * so it outlives pod restarts and is saved with the cluster by
 * --state-dir). A cluster nothing has changed yet starts from its
 * elasticsearch.yml (cluster name, remote clusters, security) and its
 * role: a StatefulSet marked passive whose remote cluster leads to its
 * replication source follows the demo indices there; any other leads them.
 * A remote cluster alias is reached by its address:
 * `<svc>.<ns>.<cluster>.mesh.internal`, `<pod>.<cluster>.<svc>.<ns>.svc.clusterset.local`,
 * or a name of the cluster's own DNS.
 */
import type { KubeObject } from '../../controllers/types';
import type { ClusterStore } from '../../store/ClusterStore';
import { holderOf } from '../mysql/emulator';
import type { PeerDirectory } from '../programs';
import { lastReceived, runningPodsOf } from '../replicaLag';
import {
  EsClusterState,
  EsHost,
  LeaderView,
  RemoteCluster,
  matchesPatterns,
  maxSeqNoAt,
  newIndex,
  stableId,
} from './state';

/** The annotation holding a cluster's state. */
export const ES_STATE_ANNOTATION =
  'cluster-simulator.multicluster-statefulsets/elasticsearch';

/** The indices a fresh demo cluster holds (leads, or follows). */
export const INITIAL_INDICES = ['products', 'product-suggestions'];

const ROLE = 'multicluster-statefulsets/role';
const SOURCE = 'multicluster-statefulsets/replication-source';
const MAX_CHAIN = 4;

/** Images the Elasticsearch emulator answers for. */
export function isElasticsearchImage(image: string): boolean {
  const repo = image
    .split('@')[0]
    .replace(/:[^/:]*$/, '')
    .toLowerCase();
  return repo.endsWith('/elasticsearch') || repo === 'elasticsearch';
}

function runsElasticsearch(spec: any): boolean {
  return (spec?.containers ?? []).some((c: any) =>
    isElasticsearchImage(String(c?.image ?? '')),
  );
}

/** The StatefulSet a pod belongs to. */
export function statefulSetOf(
  store: ClusterStore,
  pod: KubeObject,
): KubeObject | undefined {
  const ref = pod.metadata.ownerReferences?.find(
    (o: any) => o?.kind === 'StatefulSet',
  );
  return (
    ref && store.peek('apps', 'StatefulSet', pod.metadata.namespace, ref.name)
  );
}

/** The object holding a cluster's state: the first pod's claim. */
export function clusterHolder(
  store: ClusterStore,
  sts: KubeObject | undefined,
  pod: KubeObject | undefined,
): KubeObject | undefined {
  if (sts) {
    const first = Number(sts.spec?.ordinals?.start ?? 0);
    for (const t of sts.spec?.volumeClaimTemplates ?? []) {
      const claim = `${t?.metadata?.name}-${sts.metadata.name}-${first}`;
      const pvc = store.peek(
        '',
        'PersistentVolumeClaim',
        sts.metadata.namespace,
        claim,
      );
      if (pvc) return pvc;
    }
  }
  return pod && holderOf(store, pod);
}

/** The flat `key: value` settings of the elasticsearch.yml a StatefulSet mounts. */
export function ymlSettings(
  store: ClusterStore,
  sts: KubeObject | undefined,
): Record<string, string> {
  const spec = sts?.spec?.template?.spec ?? {};
  const out: Record<string, string> = {};
  for (const c of spec.containers ?? []) {
    // The image reads settings from env variables named like them too.
    for (const e of c?.env ?? []) {
      if (String(e?.name).includes('.') && typeof e?.value === 'string')
        out[e.name] = e.value;
    }
    for (const m of c?.volumeMounts ?? []) {
      if (!String(m?.mountPath ?? '').endsWith('elasticsearch.yml')) continue;
      const vol = (spec.volumes ?? []).find((v: any) => v?.name === m.name);
      const cm =
        vol?.configMap?.name &&
        store.peek(
          '',
          'ConfigMap',
          sts!.metadata.namespace,
          vol.configMap.name,
        );
      const text = cm?.data?.[m.subPath ?? 'elasticsearch.yml'] ?? '';
      for (const line of String(text).split('\n')) {
        const kv = /^\s*([\w.-]+)\s*:\s*(.*?)\s*$/.exec(line);
        if (kv && !line.trim().startsWith('#')) out[kv[1]] = kv[2];
      }
    }
  }
  return out;
}

/** The remote clusters elasticsearch.yml configures. */
export function ymlRemotes(
  settings: Record<string, string>,
): Record<string, RemoteCluster> {
  const remotes: Record<string, RemoteCluster> = {};
  for (const [key, value] of Object.entries(settings)) {
    const m = /^cluster\.remote\.([^.]+)\.(mode|proxy_address|seeds)$/.exec(
      key,
    );
    if (!m) continue;
    const r = (remotes[m[1]] ??= { mode: 'sniff' });
    if (m[2] === 'mode') r.mode = value === 'proxy' ? 'proxy' : 'sniff';
    if (m[2] === 'proxy_address') r.proxyAddress = value;
    if (m[2] === 'seeds')
      r.seeds = value
        .replace(/^\[|\]$/g, '')
        .split(',')
        .map(s => s.trim())
        .filter(Boolean);
  }
  return remotes;
}

/**
 * What the generator's CCR setup Job PUTs, once a Job mounts its
 * ConfigMap: the remote clusters of `remote-clusters.json` and the
 * patterns of each `auto-follow.<name>.json`.
 */
export function generatedCcrSetup(
  store: ClusterStore,
  sts: KubeObject | undefined,
): {
  remotes: Record<string, RemoteCluster>;
  autoFollow: EsClusterState['autoFollow'];
} {
  const out = { remotes: {}, autoFollow: {} } as ReturnType<
    typeof generatedCcrSetup
  >;
  const ns = sts?.metadata.namespace;
  const name = `${sts?.metadata.name}-replication`;
  const cm = sts && store.peek('', 'ConfigMap', ns, name);
  const applied = [...store.peekAll('batch', 'Job')].some(
    j =>
      j.metadata.namespace === ns &&
      (j.spec?.template?.spec?.volumes ?? []).some(
        (v: any) => v?.configMap?.name === name,
      ),
  );
  if (!cm || !applied) return out;
  const data = (cm.data ?? {}) as Record<string, string>;
  try {
    const flat: Record<string, unknown> = {};
    const persistent =
      JSON.parse(data['remote-clusters.json'] ?? '{}').persistent ?? {};
    for (const [k, v] of Object.entries<unknown>(persistent)) {
      flat[k] = Array.isArray(v) ? `[${v.join(',')}]` : v;
    }
    out.remotes = ymlRemotes(flat as Record<string, string>);
    for (const [key, text] of Object.entries(data)) {
      const m = /^auto-follow\.(.+)\.json$/.exec(key);
      if (!m) continue;
      const b = JSON.parse(text);
      out.autoFollow[m[1]] = {
        remoteCluster: String(b.remote_cluster),
        leaderIndexPatterns: [].concat(b.leader_index_patterns ?? []),
        followIndexPattern: b.follow_index_pattern,
        active: true,
      };
    }
  } catch {
    // A body Elasticsearch would refuse configures nothing.
  }
  return out;
}

/** The address a remote cluster alias connects to. */
export function remoteAddress(r: RemoteCluster): string | undefined {
  return r.mode === 'proxy' ? r.proxyAddress : r.seeds?.[0];
}

/** The cluster and Service an address leads to from `own`. */
export function resolveAddress(
  address: string,
  own: ClusterStore,
  peers: PeerDirectory | undefined,
  namespace: string,
): { cluster: string; namespace: string; service: string } | undefined {
  const labels = address
    .toLowerCase()
    .replace(/:\d+$/, '')
    .replace(/\.$/, '')
    .split('.');
  if (labels.length === 5 && labels.slice(3).join('.') === 'mesh.internal') {
    return { cluster: labels[2], namespace: labels[1], service: labels[0] };
  }
  if (
    labels.length === 7 &&
    labels.slice(4).join('.') === 'svc.clusterset.local'
  ) {
    return { cluster: labels[1], namespace: labels[3], service: labels[2] };
  }
  if (labels.length <= 2 || labels.slice(2).join('.') === 'svc.cluster.local') {
    return {
      cluster: own.name,
      namespace: labels[1] ?? namespace,
      service: labels[0],
    };
  }
  const named = labels.find(l => l !== own.name && peers?.store(l));
  return named
    ? { cluster: named, namespace: labels[1] ?? namespace, service: labels[0] }
    : undefined;
}

/** The Elasticsearch StatefulSet behind a Service. */
function statefulSetBehind(
  store: ClusterStore,
  namespace: string,
  service: string,
): KubeObject | undefined {
  const svc = store.peek('', 'Service', namespace, service);
  const selector: Record<string, string> = svc?.spec?.selector ?? {};
  if (!svc || !Object.keys(selector).length) return undefined;
  return [...store.peekAll('apps', 'StatefulSet')].find(
    s =>
      s.metadata.namespace === namespace &&
      runsElasticsearch(s.spec?.template?.spec) &&
      Object.entries(selector).every(
        ([k, v]) => s.spec?.template?.metadata?.labels?.[k] === v,
      ),
  );
}

/** Where a cluster's state is and how it reaches its remotes. */
export interface ClusterPlace {
  store: ClusterStore;
  sts?: KubeObject;
  pod?: KubeObject;
  peers?: PeerDirectory;
}

/** A fresh cluster's state, from its configuration and role. */
export function initialClusterState(
  place: ClusterPlace,
  now: number,
): EsClusterState {
  const { store, sts } = place;
  const settings = ymlSettings(store, sts);
  const ns = sts?.metadata.namespace ?? place.pod?.metadata.namespace ?? '';
  const name = sts?.metadata.name ?? place.pod?.metadata.name ?? 'es';
  const key = `${store.name}/${ns}/${name}`;
  const generated = generatedCcrSetup(store, sts);
  const remotes = { ...ymlRemotes(settings), ...generated.remotes };
  const annotations = sts?.metadata.annotations ?? {};
  const from = annotations[SOURCE];
  const alias =
    annotations[ROLE] === 'passive' && from
      ? Object.keys(remotes).find(a => {
          const address = remoteAddress(remotes[a]);
          return (
            address &&
            resolveAddress(address, store, place.peers, ns)?.cluster === from
          );
        })
      : undefined;
  const state: EsClusterState = {
    clusterName: settings['cluster.name'] ?? name,
    clusterUuid: stableId(`cluster:${key}`),
    remotes,
    indices: {},
    autoFollow: {},
  };
  const patterns = Object.values(generated.autoFollow).filter(
    p => p.remoteCluster === alias,
  );
  for (const index of INITIAL_INDICES) {
    const followed =
      !patterns.length ||
      patterns.some(p => matchesPatterns(index, p.leaderIndexPatterns));
    state.indices[index] = newIndex(
      `${key}/${index}`,
      now,
      alias && followed
        ? { remoteCluster: alias, leaderIndex: index, status: 'active' }
        : undefined,
    );
  }
  state.autoFollow = { ...generated.autoFollow };
  if (alias && !patterns.length) {
    state.autoFollow[alias] = {
      remoteCluster: alias,
      leaderIndexPatterns: ['*'],
      followIndexPattern: '{{leader_index}}',
      active: true,
    };
  }
  return state;
}

/** Whether the cluster has security on (`xpack.security.enabled`). */
export function securityEnabled(place: ClusterPlace): boolean {
  return (
    ymlSettings(place.store, place.sts)['xpack.security.enabled'] === 'true'
  );
}

/** The host of the cluster a pod is a node of. */
export function clusterHost(
  place: ClusterPlace,
  now: () => number,
  depth = 0,
  readOnly = false,
): EsHost {
  const { store, peers } = place;
  const ns =
    place.sts?.metadata.namespace ?? place.pod?.metadata.namespace ?? '';
  const holder = () => {
    const sts =
      place.sts &&
      store.peek('apps', 'StatefulSet', ns, place.sts.metadata.name);
    const h = clusterHolder(store, sts ?? place.sts, place.pod);
    if (!h) throw new Error(`no volume holds the Elasticsearch data of ${ns}`);
    return h;
  };
  const host: EsHost = {
    now,
    nodeName: place.pod?.metadata.name ?? `${place.sts?.metadata.name}-0`,
    load() {
      const text = holder().metadata.annotations?.[ES_STATE_ANNOTATION];
      if (text) return JSON.parse(text) as EsClusterState;
      const s = initialClusterState(place, now());
      host.save(s);
      return s;
    },
    save(s) {
      // A reader (the exporter) never changes what it reads.
      if (readOnly) return;
      const h = structuredClone(holder());
      h.metadata.annotations = {
        ...h.metadata.annotations,
        [ES_STATE_ANNOTATION]: JSON.stringify(s),
      };
      store.update(h);
    },
    remoteConnected(alias) {
      return connect(alias) !== undefined;
    },
    lastReceived: (index, linked, storedMs) =>
      lastReceived(
        store,
        `elasticsearch/${ns}/${place.sts?.metadata.name}/${index}`,
        linked,
        now(),
        storedMs,
      ),
    leader(alias, index): LeaderView {
      const remote = connect(alias);
      if (!remote) {
        return {
          ok: false,
          type: 'connect_transport_exception',
          error: `unable to connect to remote cluster [${alias}]`,
        };
      }
      const s = remote.load();
      const ix = s.indices[index];
      if (!ix) {
        return {
          ok: false,
          type: 'index_not_found_exception',
          error: `no such index [${index}]`,
        };
      }
      return {
        ok: true,
        maxSeqNo: maxSeqNoAt(ix, remote, now()),
        uuid: ix.uuid,
      };
    },
  };
  function connect(alias: string): EsHost | undefined {
    if (depth >= MAX_CHAIN) return undefined;
    const remote = host.load().remotes[alias];
    const address = remote && remoteAddress(remote);
    const where = address && resolveAddress(address, store, peers, ns);
    if (!where) return undefined;
    const target =
      where.cluster === store.name ? store : peers?.store(where.cluster);
    if (!target) return undefined;
    if (target !== store && !peers!.reachable(store.name, target.name))
      return undefined;
    const sts = statefulSetBehind(target, where.namespace, where.service);
    if (!sts || runningPodsOf(target, sts).length === 0) return undefined;
    return clusterHost({ store: target, sts, peers }, now, depth + 1, readOnly);
  }
  return host;
}

/** The running nodes of the cluster a place belongs to. */
export function nodeCount(place: ClusterPlace): number {
  return place.sts ? runningPodsOf(place.store, place.sts).length : 1;
}
