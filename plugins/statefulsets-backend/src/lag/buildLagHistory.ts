/*
 * The lag history of an entity's replication links over a window: from
 * Prometheus' range queries for a link whose lag Prometheus measures, else
 * (or when Prometheus fails, saying so) from the samples this replica kept
 * in memory; with the entity's failover lag bound and the failover runs
 * that overlap the window, so a chart can draw both.
 */
import {
  EntityTopology,
  FailoverRun,
  ReplicationLink,
  RestModels,
} from '@multicluster/backstage-plugin-statefulsets-common';
import { LagTarget } from '@multicluster/backstage-plugin-statefulsets-node';
import { LagHistory } from './LagHistory';
import { LagRange } from './PrometheusLagSource';
import { RangePoint } from './prometheusResponse';

/** A lag source that also answers the lag's history (Prometheus). */
export interface LagRangeSource {
  readonly id: string;
  supportsEngine(engine: string): boolean;
  readLagRange(
    target: LagTarget,
    range: LagRange,
    options?: { signal?: AbortSignal },
  ): Promise<RangePoint[]>;
}

/** The windows a history covers, in milliseconds. */
export const LAG_HISTORY_WINDOWS: Record<RestModels.LagHistoryWindow, number> =
  {
    '1h': 60 * 60 * 1000,
    '1d': 24 * 60 * 60 * 1000,
  };

/** Points per link a chart gets at most: a step of 15 s an hour, 6 min a day. */
const POINTS_PER_WINDOW = 240;

/** Inputs of `buildLagHistory`. */
export interface BuildLagHistoryInput {
  topology: EntityTopology;
  window: RestModels.LagHistoryWindow;
  /** Milliseconds since the epoch: the end of the window. */
  now: number;
  history: Pick<LagHistory, 'read'>;
  /** Seconds between two memory samples (the history's minimum interval). */
  sampleIntervalSeconds: number;
  rangeSources: LagRangeSource[];
  /** The entity's runs, in any order. */
  runs: FailoverRun[];
  signal?: AbortSignal;
}

/** The namespace of a link's workload, from the replica's cluster or else the source's. */
function namespaceOf(
  topology: EntityTopology,
  link: ReplicationLink,
): string | undefined {
  for (const name of [link.to, link.from]) {
    const workload = topology.clusters
      .find(c => c.name === name)
      ?.workloads.find(w => w.name === link.workload);
    if (workload?.namespace) return workload.namespace;
  }
  return undefined;
}

function runsInWindow(
  runs: FailoverRun[],
  from: number,
  to: number,
): RestModels.LagHistoryRun[] {
  return runs
    .filter(run => {
      const began = Date.parse(run.startedAt ?? run.createdAt);
      const ended = run.finishedAt ? Date.parse(run.finishedAt) : to;
      return began <= to && ended >= from;
    })
    .sort(
      (a, b) =>
        Date.parse(a.startedAt ?? a.createdAt) -
        Date.parse(b.startedAt ?? b.createdAt),
    )
    .map(run => ({
      id: run.id,
      mode: run.mode,
      status: run.status,
      sourceCluster: run.sourceCluster,
      targetCluster: run.targetCluster,
      createdAt: run.createdAt,
      startedAt: run.startedAt,
      finishedAt: run.finishedAt,
    }));
}

/** Builds the lag history answer of `GET …/lag-history`. */
export async function buildLagHistory(
  input: BuildLagHistoryInput,
): Promise<RestModels.LagHistory> {
  const { topology, window, now } = input;
  const windowMs = LAG_HISTORY_WINDOWS[window];
  const from = now - windowMs;
  const stepMs = windowMs / POINTS_PER_WINDOW;
  const engine = topology.policy.engine;

  const fromMemory = (
    link: ReplicationLink,
    why?: string,
  ): RestModels.LinkLagHistory => {
    // An hour of 10 s samples (360) fits a chart as it is; a day is bucketed.
    const raw = windowMs / (input.sampleIntervalSeconds * 1000);
    const bucketMs = raw > 2 * POINTS_PER_WINDOW ? stepMs : undefined;
    const samples = input.history.read(topology.entityRef, link, {
      since: from,
      bucketMs,
    });
    const empty =
      samples.length === 0
        ? `no samples yet: this backend replica samples the lag every ${input.sampleIntervalSeconds} s while it computes the entity's topology`
        : undefined;
    return {
      from: link.from,
      to: link.to,
      workload: link.workload,
      source: 'memory',
      stepSeconds: bucketMs ? bucketMs / 1000 : input.sampleIntervalSeconds,
      reason: [why, empty].filter(Boolean).join('; ') || undefined,
      samples,
    };
  };

  const links = await Promise.all(
    topology.replication.map(async link => {
      const source = input.rangeSources.find(
        s => s.id === link.lagSource && s.supportsEngine(engine),
      );
      if (!source) return fromMemory(link);
      const namespace = namespaceOf(topology, link);
      if (!namespace) {
        return fromMemory(
          link,
          `the namespace of ${link.workload} is not known to ask ${source.id}`,
        );
      }
      try {
        const points = await source.readLagRange(
          {
            engine,
            namespace,
            workload: link.workload,
            cluster: link.to,
            source: link.from,
          },
          { start: from, end: now, stepSeconds: stepMs / 1000 },
          { signal: input.signal },
        );
        const history: RestModels.LinkLagHistory = {
          from: link.from,
          to: link.to,
          workload: link.workload,
          source: 'prometheus',
          stepSeconds: stepMs / 1000,
          samples: points,
        };
        if (points.length === 0) {
          history.reason = `no lag series in ${source.id} for this window`;
        }
        return history;
      } catch (err) {
        if (input.signal?.aborted) throw err;
        return fromMemory(
          link,
          `${source.id} gave no history (${
            err instanceof Error ? err.message : String(err)
          }); these are this backend replica's own samples`,
        );
      }
    }),
  );

  return {
    entityRef: topology.entityRef,
    window,
    from,
    to: now,
    thresholdSeconds: topology.policy.maxFailoverLagSeconds,
    links,
    runs: runsInWindow(input.runs, from, now),
  };
}
