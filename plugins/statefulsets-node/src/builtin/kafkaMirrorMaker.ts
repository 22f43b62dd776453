/*
 * The MirrorMaker 2 deployments of a Kafka pair and the flows they run:
 * each ConfigMap of the entity (same `backstage.io/kubernetes-id`) holding
 * `mm2.properties`, in either cluster, with the StatefulSets and
 * Deployments that run `connect-mirror-maker.sh` with it mounted. A flow is
 * switched by rewriting its `A->B.enabled` line and restarting those pods
 * (dedicated-mode MirrorMaker 2 reads its properties at start only).
 * Aliases are the cluster names, as the demo and the generator write them.
 */
import { KubeObject } from '@multicluster/backstage-plugin-statefulsets-common';
import { FailoverSide } from '../failover';
import type { KafkaBroker } from './kafkaExec';

/** One MirrorMaker 2 configuration and what runs it. */
export interface MirrorMakerConfig {
  side: FailoverSide;
  configMap: KubeObject;
  text: string;
  workloads: KubeObject[];
}

/** One flow of a configuration. */
export interface FlowChange {
  from: string;
  to: string;
  enabled: boolean;
}

const ID_LABEL = 'backstage.io/kubernetes-id';

function propertiesOf(cm: KubeObject): string | undefined {
  const text = (cm as KubeObject & { data?: Record<string, unknown> }).data?.[
    'mm2.properties'
  ];
  return typeof text === 'string' ? text : undefined;
}

function runsMirrorMaker(w: KubeObject, configMap: string): boolean {
  const spec = w.spec?.template?.spec ?? {};
  return (
    (spec.volumes ?? []).some((v: any) => v?.configMap?.name === configMap) &&
    (spec.containers ?? []).some((c: any) =>
      [...(c?.command ?? []), ...(c?.args ?? [])].some((a: string) =>
        String(a).endsWith('connect-mirror-maker.sh'),
      ),
    )
  );
}

/**
 * The API path of a core or apps object (or its collection), built here:
 * the clients' kinds table holds only what the topology reads.
 */
export function kubePath(
  apiVersion: string,
  plural: string,
  namespace: string,
  name?: string,
): string {
  const base = apiVersion === 'v1' ? '/api/v1' : `/apis/${apiVersion}`;
  return `${base}/namespaces/${encodeURIComponent(namespace)}/${plural}${
    name ? `/${encodeURIComponent(name)}` : ''
  }`;
}

const PLURALS: Record<string, string> = {
  ConfigMap: 'configmaps',
  StatefulSet: 'statefulsets',
  Deployment: 'deployments',
  Pod: 'pods',
};

async function list(
  side: FailoverSide,
  apiVersion: string,
  kind: string,
): Promise<KubeObject[]> {
  const path = kubePath(apiVersion, PLURALS[kind], side.workload.namespace);
  return (await side.client.get<{ items?: KubeObject[] }>(path))?.items ?? [];
}

/** The MirrorMaker 2 configurations of the entity in the given sides' clusters. */
export async function findMirrorMakers(
  sides: FailoverSide[],
  brokers: KubeObject,
): Promise<MirrorMakerConfig[]> {
  const id = brokers.metadata.labels?.[ID_LABEL];
  const found: MirrorMakerConfig[] = [];
  for (const side of sides) {
    const maps = (await list(side, 'v1', 'ConfigMap')).filter(
      cm =>
        typeof propertiesOf(cm) === 'string' &&
        (!id || cm.metadata.labels?.[ID_LABEL] === id),
    );
    if (!maps.length) continue;
    const workloads = [
      ...(await list(side, 'apps/v1', 'StatefulSet')),
      ...(await list(side, 'apps/v1', 'Deployment')),
    ];
    for (const cm of maps) {
      found.push({
        side,
        configMap: cm,
        text: propertiesOf(cm)!,
        workloads: workloads.filter(w => runsMirrorMaker(w, cm.metadata.name)),
      });
    }
  }
  return found;
}

function escape(alias: string): string {
  return alias.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Whether `A->B.enabled = true` in a properties text. */
export function flowEnabled(text: string, from: string, to: string): boolean {
  const re = new RegExp(
    `^\\s*${escape(from)}->${escape(to)}\\.enabled\\s*[=:]\\s*(\\S+)\\s*$`,
    'm',
  );
  return re.exec(text)?.[1]?.toLowerCase() === 'true';
}

/** The properties text with `A->B.enabled` set (the line rewritten, or added). */
export function withFlow(text: string, change: FlowChange): string {
  const line = `${change.from}->${change.to}.enabled = ${change.enabled}`;
  const re = new RegExp(
    `^\\s*${escape(change.from)}->${escape(change.to)}\\.enabled\\s*[=:].*$`,
    'm',
  );
  if (re.test(text)) return text.replace(re, line);
  return `${text.replace(/\n?$/, '\n')}${line}\n`;
}

/** The aliases a configuration names (`clusters = a, b`). */
export function aliasesOf(text: string): string[] {
  const m = /^\s*clusters\s*[=:]\s*(.*)$/m.exec(text);
  return (m?.[1] ?? '')
    .split(',')
    .map(s => s.trim())
    .filter(Boolean);
}

/** The `--clusters` a MirrorMaker 2 workload is restricted to, if any. */
function targetsOf(w: KubeObject): string[] | undefined {
  for (const c of w.spec?.template?.spec?.containers ?? []) {
    const argv: string[] = [...(c.command ?? []), ...(c.args ?? [])];
    const at = argv.indexOf('--clusters');
    if (at >= 0) return argv.slice(at + 1).filter(a => !a.startsWith('-'));
  }
  return undefined;
}

/** Whether a workload can run a flow into `to` (no `--clusters`, or naming it). */
export function canRunInto(w: KubeObject, to: string): boolean {
  return targetsOf(w)?.includes(to) ?? true;
}

/**
 * Applies flow changes to one configuration: rewrites mm2.properties, and
 * restarts the MirrorMaker 2 pods (scaling a stopped one back to one
 * replica when it must run a flow) so the new properties take effect.
 * Returns whether anything changed.
 */
export async function applyFlows(
  mm: MirrorMakerConfig,
  changes: FlowChange[],
): Promise<boolean> {
  const text = changes.reduce(withFlow, mm.text);
  if (text === mm.text) return false;
  const { client } = mm.side;
  const ns = mm.configMap.metadata.namespace!;
  await client.mergePatch(
    kubePath('v1', 'configmaps', ns, mm.configMap.metadata.name),
    { data: { 'mm2.properties': text } },
  );
  mm.text = text;
  for (const w of mm.workloads) {
    const runsSome = changes.some(
      c => c.enabled && flowEnabled(text, c.from, c.to) && canRunInto(w, c.to),
    );
    const path = kubePath(
      'apps/v1',
      PLURALS[String(w.kind)],
      ns,
      w.metadata.name,
    );
    if (runsSome && (w.spec?.replicas ?? 1) === 0)
      await client.mergePatch(path, { spec: { replicas: 1 } });
    const selector = Object.entries(
      (w.spec?.selector?.matchLabels ?? {}) as Record<string, string>,
    )
      .map(([k, v]) => `${k}=${v}`)
      .join(',');
    if (!selector) continue;
    const podsPath = kubePath('v1', 'pods', ns);
    const pods =
      (
        await client.get<{ items?: KubeObject[] }>(
          `${podsPath}?labelSelector=${encodeURIComponent(selector)}`,
        )
      )?.items ?? [];
    for (const pod of pods)
      await client.delete(`${podsPath}/${pod.metadata.name}`);
  }
  return true;
}

/** The MirrorMaker 2 configurations in the clusters of the sides that answer. */
export async function mirrorMakersOf(
  sides: FailoverSide[],
  brokers: KafkaBroker,
): Promise<MirrorMakerConfig[]> {
  const found: MirrorMakerConfig[] = [];
  for (const side of sides) {
    const mm = await findMirrorMakers([side], brokers.statefulSet).catch(
      () => [],
    );
    found.push(...mm);
  }
  return found;
}

/** Switches flows in every configuration naming both aliases. */
export async function switchFlows(
  configs: MirrorMakerConfig[],
  changes: Array<{ from: string; to: string; enabled: boolean }>,
): Promise<void> {
  const relevant = configs.filter(c => {
    const aliases = aliasesOf(c.text);
    return changes.every(
      ch => aliases.includes(ch.from) && aliases.includes(ch.to),
    );
  });
  if (!relevant.length) {
    const [ch] = changes;
    throw new Error(
      `No MirrorMaker 2 configuration names both ${ch.from} and ${ch.to} as aliases (mm2.properties \`clusters = ${ch.from}, ${ch.to}\` in a ConfigMap labelled with the entity's backstage.io/kubernetes-id); add one, or fail over with the generic provider`,
    );
  }
  for (const c of relevant) await applyFlows(c, changes);
}
