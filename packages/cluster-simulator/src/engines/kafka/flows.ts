/*
 * The MirrorMaker 2 flows that feed a Kafka cluster, read as dedicated-mode
 * MirrorMaker 2 reads them: a ConfigMap's `mm2.properties` names the
 * clusters' aliases and `<alias>.bootstrap.servers`, enables flows with
 * `A->B.enabled = true`, and counts only while a StatefulSet or Deployment
 * running `connect-mirror-maker.sh` mounts it, scaled above zero (and,
 * given `--clusters`, naming the flow's target). A flow runs while such a
 * pod is Running and both clusters are reachable from it.
 *
 * A Strimzi `KafkaMirrorMaker2` feeds the Kafka its `spec.target` leads to
 * from each mirror's source, both found as the operator finds them (the
 * Kafka whose status publishes the bootstrap address; a `.svc` address only
 * in the MirrorMaker's own cluster). Its flow runs while the source
 * connector would run (its `state` running, replicas above zero, a Connect
 * pod Running) and both clusters are reachable from where it runs; group
 * offsets are synced while its checkpoint connector runs with
 * `sync.group.offsets.enabled`.
 */
import type { KubeObject } from '../../controllers/types';
import type { ClusterStore } from '../../store/ClusterStore';
import {
  bootstrapAddresses,
  publishesAddress,
} from '../../controllers/operators/strimzi/kafka';
import type { PeerDirectory } from '../programs';
import {
  BrokerCluster,
  resolveBootstrap,
  runsConnect,
  STRIMZI_GROUP,
  strimziCluster,
} from './brokers';

/** One enabled flow into a cluster. */
export interface MirrorFlow {
  sourceAlias: string;
  targetAlias: string;
  /** Undefined when the source's bootstrap servers lead nowhere. */
  source?: BrokerCluster;
  target: BrokerCluster;
  /** The namespace of the ConfigMap and of MirrorMaker 2. */
  namespace: string;
  /** The Running MirrorMaker 2 pods deployed for the flow. */
  pods: KubeObject[];
  /** The Kubernetes cluster MirrorMaker 2 runs in. */
  runsIn: string;
  /** Whether MirrorMaker 2 is deployed for it (scaled above zero). */
  deployed: boolean;
  running: boolean;
  syncGroups: boolean;
  checkpointMs: number;
}

/** `key = value` lines of a Java properties file. */
export function parseProperties(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^\s*([^#!\s][^=:]*?)\s*[=:]\s*(.*?)\s*$/.exec(line);
    if (m) out.set(m[1], m[2]);
  }
  return out;
}

/** The workloads running MirrorMaker 2 with a ConfigMap mounted. */
function mirrorMakers(store: ClusterStore, cm: KubeObject): KubeObject[] {
  const ns = cm.metadata.namespace;
  return [
    ...store.peekAll('apps', 'StatefulSet'),
    ...store.peekAll('apps', 'Deployment'),
  ].filter(w => {
    if (w.metadata.namespace !== ns) return false;
    const spec = w.spec?.template?.spec ?? {};
    return (
      (spec.volumes ?? []).some(
        (v: any) => v?.configMap?.name === cm.metadata.name,
      ) && (spec.containers ?? []).some(runsConnect)
    );
  });
}

function clustersArg(w: KubeObject): string[] | undefined {
  for (const c of w.spec?.template?.spec?.containers ?? []) {
    const argv: string[] = [...(c.command ?? []), ...(c.args ?? [])];
    const at = argv.indexOf('--clusters');
    if (at >= 0) return argv.slice(at + 1).filter(a => !a.startsWith('-'));
  }
  return undefined;
}

function runningPods(store: ClusterStore, w: KubeObject): KubeObject[] {
  const selector: Record<string, string> = w.spec?.selector?.matchLabels ?? {};
  if (!Object.keys(selector).length) return [];
  return [...store.peekAll('', 'Pod')].filter(pod => {
    const labels = pod.metadata.labels ?? {};
    return (
      pod.metadata.namespace === w.metadata.namespace &&
      Object.entries(selector).every(([k, v]) => labels[k] === v) &&
      pod.status?.phase === 'Running' &&
      !pod.metadata.deletionTimestamp
    );
  });
}

/** Every Kubernetes cluster the emulator can see. */
function allStores(own: ClusterStore, peers?: PeerDirectory): ClusterStore[] {
  const names =
    (
      peers as (PeerDirectory & { names?(): string[] }) | undefined
    )?.names?.() ?? [];
  const stores = [own];
  for (const n of names) {
    const s = n === own.name ? undefined : peers!.store(n);
    if (s) stores.push(s);
  }
  return stores;
}

/** The enabled flows of the mm2.properties ConfigMaps held in `store`. */
export function flowsHeldIn(
  store: ClusterStore,
  peers: PeerDirectory | undefined,
): MirrorFlow[] {
  const flows: MirrorFlow[] = [];
  for (const cm of store.peekAll('', 'ConfigMap')) {
    const text = (cm.data as Record<string, unknown> | undefined)?.[
      'mm2.properties'
    ];
    if (typeof text !== 'string') continue;
    const props = parseProperties(text);
    const ns = cm.metadata.namespace ?? 'default';
    const leadsTo = (alias: string) =>
      (props.get(`${alias}.bootstrap.servers`) ?? '')
        .split(',')
        .filter(s => s.trim())
        .map(s => resolveBootstrap(s, store, ns, peers))
        .find(r => r.ok);
    const workloads = mirrorMakers(store, cm);
    for (const [key, value] of props) {
      const m = /^([^.>\s]+)->([^.\s]+)\.enabled$/.exec(key);
      if (!m || value.toLowerCase() !== 'true') continue;
      const [, from, to] = m;
      const t = leadsTo(to);
      if (!t?.ok) continue;
      const target = t.cluster;
      const s = leadsTo(from);
      const deployedBy = workloads.filter(
        w =>
          (w.spec?.replicas ?? 1) > 0 && (clustersArg(w)?.includes(to) ?? true),
      );
      const source = s?.ok ? s.cluster : undefined;
      const setting = (name: string, fallback: string) =>
        props.get(`${from}->${to}.${name}`) ?? props.get(name) ?? fallback;
      const pods = deployedBy.flatMap(w => runningPods(store, w));
      flows.push({
        sourceAlias: from,
        targetAlias: to,
        source,
        target,
        runsIn: store.name,
        namespace: ns,
        pods,
        deployed: deployedBy.length > 0,
        running:
          !!source &&
          pods.length > 0 &&
          (!peers ||
            (peers.reachable(store.name, source.store.name) &&
              peers.reachable(store.name, target.store.name))),
        syncGroups:
          setting('sync.group.offsets.enabled', 'false').toLowerCase() ===
          'true',
        checkpointMs:
          Number(setting('emit.checkpoints.interval.seconds', '60')) * 1000 ||
          60_000,
      });
    }
  }
  return flows;
}

/**
 * The Strimzi Kafka publishing one of a bootstrap list's addresses, seen
 * from a MirrorMaker in `own`.
 */
function strimziKafkaAt(
  own: ClusterStore,
  peers: PeerDirectory | undefined,
  servers: string | undefined,
  namespace: string,
): BrokerCluster | undefined {
  const addresses = bootstrapAddresses(servers, namespace);
  if (!addresses.length) return undefined;
  const inCluster = addresses.every(a => a.split(':')[0].endsWith('.svc'));
  const stores = inCluster ? [own] : allStores(own, peers);
  for (const store of stores)
    for (const kafka of store.peekAll(STRIMZI_GROUP, 'Kafka'))
      if (
        !kafka.metadata.deletionTimestamp &&
        publishesAddress(kafka, addresses)
      )
        return strimziCluster(store, kafka);
  return undefined;
}

const isTrue = (v: unknown) => String(v ?? '').toLowerCase() === 'true';
const isRunningState = (connector: any) =>
  String(connector?.state ?? 'running').toLowerCase() === 'running';

/** The flows of the Strimzi KafkaMirrorMaker2 resources held in `store`. */
export function strimziFlowsHeldIn(
  store: ClusterStore,
  peers: PeerDirectory | undefined,
): MirrorFlow[] {
  const flows: MirrorFlow[] = [];
  for (const mm2 of store.peekAll(STRIMZI_GROUP, 'KafkaMirrorMaker2')) {
    if (mm2.metadata.deletionTimestamp) continue;
    const ns = mm2.metadata.namespace ?? 'default';
    const target = strimziKafkaAt(
      store,
      peers,
      mm2.spec?.target?.bootstrapServers,
      ns,
    );
    if (!target) continue;
    const deployed = Number(mm2.spec?.replicas ?? 1) > 0;
    const pods = [...store.peekAll('', 'Pod')].filter(
      p =>
        p.metadata.namespace === ns &&
        p.metadata.labels?.['strimzi.io/cluster'] === mm2.metadata.name &&
        p.metadata.labels?.['strimzi.io/kind'] === 'KafkaMirrorMaker2' &&
        p.status?.phase === 'Running' &&
        !p.metadata.deletionTimestamp,
    );
    const reaches = (other: BrokerCluster) =>
      !peers || peers.reachable(store.name, other.store.name);
    for (const mirror of mm2.spec?.mirrors ?? []) {
      const source = strimziKafkaAt(
        store,
        peers,
        mirror?.source?.bootstrapServers,
        ns,
      );
      const checkpoint = mirror?.checkpointConnector;
      const running =
        !!source &&
        source.key !== target.key &&
        deployed &&
        pods.length > 0 &&
        (!peers || peers.reachable(store.name, store.name)) &&
        isRunningState(mirror?.sourceConnector) &&
        reaches(source) &&
        reaches(target);
      flows.push({
        sourceAlias: String(mirror?.source?.alias ?? 'source'),
        targetAlias: String(mm2.spec?.target?.alias ?? 'target'),
        source,
        target,
        runsIn: store.name,
        namespace: ns,
        pods,
        deployed,
        running,
        syncGroups:
          !!checkpoint &&
          isRunningState(checkpoint) &&
          isTrue(checkpoint.config?.['sync.group.offsets.enabled']),
        checkpointMs:
          Number(checkpoint?.config?.['emit.checkpoints.interval.seconds']) *
            1000 || 60_000,
      });
    }
  }
  return flows;
}

/** The enabled MirrorMaker 2 flows whose target is `target`. */
export function flowsInto(
  target: BrokerCluster,
  peers: PeerDirectory | undefined,
): MirrorFlow[] {
  return allStores(target.store, peers).flatMap(store =>
    [...flowsHeldIn(store, peers), ...strimziFlowsHeldIn(store, peers)].filter(
      f => f.target.key === target.key,
    ),
  );
}
