/*
 * The Strimzi KafkaMirrorMaker2 resources between the two sides of a
 * failover, and the spec change that turns a mirror around: the target
 * (`spec.target`: alias, bootstrapServers, tls, authentication) and the
 * mirror's source (`spec.mirrors[].source`) trade places, while the Connect
 * cluster's own settings (group id, storage topics, config) stay with the
 * target. Aliases are the cluster names, as the demo writes them.
 */
import { KubeObject } from '@multicluster/backstage-plugin-statefulsets-common';
import { FailoverSide } from '../failover';

/**
 * The API versions KafkaMirrorMaker2 is read at, newest first: Strimzi 1.x
 * serves `v1`, earlier releases `v1beta2` only.
 */
export const STRIMZI_MM2_APIS = [
  'kafka.strimzi.io/v1',
  'kafka.strimzi.io/v1beta2',
];

/** One KafkaMirrorMaker2 and the side whose cluster holds it. */
export interface StrimziMirror {
  side: FailoverSide;
  resource: KubeObject;
}

const CLUSTER_FIELDS = ['alias', 'bootstrapServers', 'tls', 'authentication'];

/** Where a resource mirrors from and into (`from` of its first mirror). */
export function directionOf(
  mm2: KubeObject,
): { from?: string; to?: string } | undefined {
  const to = mm2.spec?.target?.alias;
  const from = mm2.spec?.mirrors?.[0]?.source?.alias;
  return to || from ? { from, to } : undefined;
}

/**
 * The KafkaMirrorMaker2 resources in the sides' clusters mirroring between
 * two of `clusters` (the sides' own when not given).
 */
export async function findStrimziMirrors(
  sides: FailoverSide[],
  clusters: string[] = sides.map(s => s.cluster),
): Promise<StrimziMirror[]> {
  const found: StrimziMirror[] = [];
  for (const side of sides) {
    let items: KubeObject[] = [];
    for (const apiVersion of STRIMZI_MM2_APIS) {
      const path = side.client.pathOf({
        apiVersion,
        kind: 'KafkaMirrorMaker2',
        namespace: side.workload.namespace,
      });
      const list = await side.client.get<{ items?: KubeObject[] }>(path);
      if (!list) continue;
      items = (list.items ?? []).map(o => ({ ...o, apiVersion }));
      break;
    }
    for (const resource of items) {
      const d = directionOf(resource);
      const between =
        !clusters.length ||
        (clusters.includes(d?.from ?? '') && clusters.includes(d?.to ?? ''));
      if (d?.from && d.to && between) found.push({ side, resource });
    }
  }
  return found;
}

function pick(
  obj: Record<string, unknown> | undefined,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of CLUSTER_FIELDS) if (obj?.[k] !== undefined) out[k] = obj[k];
  return out;
}

/**
 * The spec with the mirror turned around: the first mirror's source becomes
 * the target and the old target its source. Settings of the Connect
 * cluster stay; a connector's `state` is kept.
 */
export function reversedSpec(spec: any): any {
  const target = spec?.target ?? {};
  const [first, ...others] = spec?.mirrors ?? [];
  const connect = Object.fromEntries(
    Object.entries(target).filter(([k]) => !CLUSTER_FIELDS.includes(k)),
  );
  return {
    ...spec,
    target: { ...connect, ...pick(first?.source) },
    mirrors: [{ ...first, source: pick(target) }, ...others],
  };
}

/** Writes a KafkaMirrorMaker2's spec (a merge patch of `spec.target` and `spec.mirrors`). */
export async function writeSpec(m: StrimziMirror, spec: any): Promise<void> {
  const { client } = m.side;
  const path = client.pathOf({
    apiVersion: m.resource.apiVersion ?? STRIMZI_MM2_APIS[0],
    kind: 'KafkaMirrorMaker2',
    namespace: m.resource.metadata.namespace!,
    name: m.resource.metadata.name,
  });
  // One merge patch: keys of the old target the new one lacks are nulled
  // (the old alias's TLS must not stay); the mirrors array is replaced.
  const removed = Object.fromEntries(
    Object.keys(m.resource.spec?.target ?? {})
      .filter(k => !(k in (spec.target ?? {})))
      .map(k => [k, null]),
  );
  await client.mergePatch(path, {
    spec: { target: { ...removed, ...spec.target }, mirrors: spec.mirrors },
  });
  m.resource = { ...m.resource, spec };
}

/** The state of a resource's source connector as its status reports it. */
export function sourceConnectorState(mm2: KubeObject): string | undefined {
  const d = directionOf(mm2);
  const name = `${d?.from}->${d?.to}.MirrorSourceConnector`;
  return (mm2.status?.connectors ?? []).find((c: any) => c?.name === name)
    ?.connector?.state;
}

/**
 * Whether the resource's first mirror translates consumer-group offsets
 * into its target: a checkpoint connector, not stopped or paused, with
 * `sync.group.offsets.enabled`.
 */
export function syncsGroupOffsets(mm2: KubeObject): boolean {
  const checkpoint = mm2.spec?.mirrors?.[0]?.checkpointConnector;
  return (
    !!checkpoint &&
    String(checkpoint.state ?? 'running').toLowerCase() === 'running' &&
    String(checkpoint.config?.['sync.group.offsets.enabled']).toLowerCase() ===
      'true'
  );
}
