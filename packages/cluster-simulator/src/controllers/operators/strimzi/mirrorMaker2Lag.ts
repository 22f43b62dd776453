/*
 * The lag record of a KafkaMirrorMaker2's flows, written on the Kafka the
 * data lands in (in this cluster or, for a mirror reversed by its spec, in
 * another) as the simulator's own record that only /metrics publishes, and
 * dropped where no MirrorMaker 2 mirrors into any more. The lag is the
 * Kafka emulator's, from the same state the brokers' tools read: 0 while a
 * flow into the Kafka runs, and the time since it last received a record
 * while every flow into it is cut off.
 */
import { isoSeconds } from '../../../api/timestamp';
import { strimziCluster } from '../../../engines/kafka/brokers';
import { mirrorLagOf } from '../../../engines/kafka/lag';
import type { PeerDirectory } from '../../../engines/programs';
import { ClusterStore } from '../../../store/ClusterStore';
import { lagIntervalMs, type ReplicationSettings } from '../../lagModel';
import {
  SIM_ENGINE,
  SIM_LAG_OBSERVED_AT,
  SIM_LAG_SECONDS,
  SIM_LAG_SOURCE,
} from '../../metrics';
import {
  type ClusterApi,
  type ControllerContext,
  type KubeObject,
} from '../../types';
import { safeList, STRIMZI_API } from './resources';

/**
 * The cluster whose MirrorMaker 2 wrote a lag record: a mirror reversed by
 * its spec writes on a target Kafka in another cluster, whose own operator
 * must leave that record alone while it stays fresh.
 */
const WRITTEN_BY = 'simulator.local/replication-written-by';

const views = new WeakMap<ClusterApi, ClusterStore>();

/**
 * A cluster as the Kafka emulator reads it: the store itself, or a view of
 * another cluster API through its reads and updates (kept per cluster, so
 * the emulator's clocks stay with it).
 */
function storeOf(api: ClusterApi): ClusterStore {
  if (api instanceof ClusterStore) return api;
  let view = views.get(api);
  if (!view) {
    const version = (group: string) => (group ? `${group}/v1` : 'v1');
    view = {
      name: api.name,
      peekAll: (group: string, kind: string) => api.list(version(group), kind),
      peek: (group: string, kind: string, ns: string | undefined, n: string) =>
        api.get(version(group), kind, ns, n),
      update: (o: KubeObject) => api.update(o),
    } as unknown as ClusterStore;
    views.set(api, view);
  }
  return view;
}

/** The world's clusters as the Kafka emulator reaches them from a controller. */
export function peersOf(ctx: ControllerContext): PeerDirectory {
  return {
    store: name => {
      const api = ctx.clusters.get(name);
      return api && storeOf(api);
    },
    names: () => [...ctx.clusters.keys()],
    reachable: (from, to) =>
      !ctx.isDown(to) &&
      !ctx.isPartitioned(from, to) &&
      !ctx.isPartitioned(to, from),
  };
}

/** Writes the lag the Kafka emulator gives the target Kafka as its lag record. */
export function writeLag(
  ctx: ControllerContext,
  target: { cluster: string; kafka: KubeObject },
  source: string,
  writer: string,
): void {
  const api =
    target.cluster === ctx.cluster.name
      ? ctx.cluster
      : ctx.clusters.get(target.cluster);
  if (!api || ctx.isPartitioned(ctx.cluster.name, target.cluster)) return;
  const now = ctx.now();
  const settings = (ctx.replication ?? {}) as ReplicationSettings;
  const current = api.get(
    STRIMZI_API,
    'Kafka',
    target.kafka.metadata.namespace,
    target.kafka.metadata.name,
  );
  if (!current) return;
  const a = current.metadata.annotations ?? {};
  const prevAt = Date.parse(a[SIM_LAG_OBSERVED_AT] ?? '');
  const sameSource = a[SIM_LAG_SOURCE] === source;
  if (
    sameSource &&
    Number.isFinite(prevAt) &&
    now - prevAt < lagIntervalMs(settings)
  ) {
    return;
  }
  const measured = mirrorLagOf(
    strimziCluster(storeOf(api), current),
    now,
    peersOf(ctx),
  );
  // No flow ever reached it: no record age to publish yet.
  if ('error' in measured) return;
  api.update({
    ...current,
    metadata: {
      ...current.metadata,
      annotations: {
        ...a,
        [SIM_LAG_SECONDS]: String(measured.lagSeconds),
        [SIM_LAG_SOURCE]: source,
        [SIM_LAG_OBSERVED_AT]: isoSeconds(now),
        [SIM_ENGINE]: 'kafka',
        [WRITTEN_BY]: writer,
      },
    },
  });
}

/** Drops the lag record of Kafkas no MirrorMaker 2 mirrors into any more. */
export function clearStaleLag(
  api: ClusterApi,
  kafkas: KubeObject[],
  targets: Set<string>,
): void {
  for (const kafka of kafkas) {
    const key = `${kafka.metadata.namespace}/${kafka.metadata.name}`;
    const current = api.get(
      STRIMZI_API,
      'Kafka',
      kafka.metadata.namespace,
      kafka.metadata.name,
    );
    const a = current?.metadata.annotations ?? {};
    if (!current || targets.has(key) || a[SIM_LAG_SOURCE] === undefined)
      continue;
    // Another cluster's MirrorMaker 2 mirrors into it: that one clears it.
    const writer = a[WRITTEN_BY];
    if (writer && !writer.startsWith(`${api.name}/`)) continue;
    dropLagRecord(api, current);
  }
}

/**
 * Drops the records a MirrorMaker 2 (`writer`) wrote on other clusters'
 * Kafkas it mirrors into no more (`written`: `<cluster>/<kafka>` it does).
 */
export function clearRemoteLag(
  ctx: ControllerContext,
  writer: string,
  written: string[],
): void {
  for (const [name, api] of ctx.clusters) {
    if (name === ctx.cluster.name || ctx.isDown(name)) continue;
    for (const kafka of safeList(api, 'Kafka')) {
      const a = kafka.metadata.annotations ?? {};
      if (
        a[WRITTEN_BY] === writer &&
        !written.includes(`${name}/${kafka.metadata.name}`)
      )
        dropLagRecord(api, kafka);
    }
  }
}

function dropLagRecord(api: ClusterApi, current: KubeObject): void {
  const a = current.metadata.annotations ?? {};
  const rest = Object.fromEntries(
    Object.entries(a).filter(
      ([k]) =>
        ![
          SIM_LAG_SECONDS,
          SIM_LAG_SOURCE,
          SIM_LAG_OBSERVED_AT,
          SIM_ENGINE,
          WRITTEN_BY,
        ].includes(k),
    ),
  );
  api.update({
    ...current,
    metadata: { ...current.metadata, annotations: rest },
  });
}
