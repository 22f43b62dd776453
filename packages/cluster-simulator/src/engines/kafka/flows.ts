/*
 * The MirrorMaker 2 flows that feed a Kafka cluster, read as dedicated-mode
 * MirrorMaker 2 reads them: a ConfigMap's `mm2.properties` names the
 * clusters' aliases and `<alias>.bootstrap.servers`, enables flows with
 * `A->B.enabled = true`, and counts only while a StatefulSet or Deployment
 * running `connect-mirror-maker.sh` mounts it, scaled above zero (and,
 * given `--clusters`, naming the flow's target). A flow runs while such a
 * pod is Running and both clusters are reachable from it.
 */
import type { KubeObject } from '../../controllers/types';
import type { ClusterStore } from '../../store/ClusterStore';
import type { PeerDirectory } from '../programs';
import { BrokerCluster, resolveBootstrap, runsConnect } from './brokers';

/** One enabled flow into a cluster. */
export interface MirrorFlow {
  sourceAlias: string;
  targetAlias: string;
  /** Undefined when the source's bootstrap servers lead nowhere. */
  source?: BrokerCluster;
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

function podsRunning(store: ClusterStore, w: KubeObject): boolean {
  const selector: Record<string, string> = w.spec?.selector?.matchLabels ?? {};
  if (!Object.keys(selector).length) return false;
  for (const pod of store.peekAll('', 'Pod')) {
    if (pod.metadata.namespace !== w.metadata.namespace) continue;
    const labels = pod.metadata.labels ?? {};
    if (
      Object.entries(selector).every(([k, v]) => labels[k] === v) &&
      pod.status?.phase === 'Running' &&
      !pod.metadata.deletionTimestamp
    )
      return true;
  }
  return false;
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

/** The enabled MirrorMaker 2 flows whose target is `target`. */
export function flowsInto(
  target: BrokerCluster,
  peers: PeerDirectory | undefined,
): MirrorFlow[] {
  const flows: MirrorFlow[] = [];
  for (const store of allStores(target.store, peers)) {
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
        if (!t?.ok || t.cluster.key !== target.key) continue;
        const s = leadsTo(from);
        const deployedBy = workloads.filter(
          w =>
            (w.spec?.replicas ?? 1) > 0 &&
            (clustersArg(w)?.includes(to) ?? true),
        );
        const source = s?.ok ? s.cluster : undefined;
        const setting = (name: string, fallback: string) =>
          props.get(`${from}->${to}.${name}`) ?? props.get(name) ?? fallback;
        flows.push({
          sourceAlias: from,
          targetAlias: to,
          source,
          runsIn: store.name,
          deployed: deployedBy.length > 0,
          running:
            !!source &&
            deployedBy.some(w => podsRunning(store, w)) &&
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
  }
  return flows;
}
