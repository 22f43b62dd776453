/*
 * When to tell a database's owners something, as pure bookkeeping without
 * I/O: a readiness drop from ready that lasts past the debounce, and a
 * cluster the database runs in that stays unreachable past a threshold.
 * Each problem is an episode that notifies once and closes when the
 * problem is gone, so a later drop notifies again; observing the same state
 * twice (a poll, a recompute) changes nothing.
 */
import {
  ClusterError,
  DrReadiness,
  EntityTopology,
  ReadinessCheck,
} from '@multicluster/backstage-plugin-statefulsets-common';

/** Something the owners of an entity are told about. */
export type OwnerEvent =
  | {
      kind: 'readiness-dropped';
      entityRef: string;
      verdict: Exclude<DrReadiness['verdict'], 'ready'>;
      /** The checks that did not pass, as last observed. */
      failing: ReadinessCheck[];
      /** When the drop was first observed (epoch ms). */
      since: number;
    }
  | {
      kind: 'cluster-unreachable';
      entityRef: string;
      cluster: string;
      error: ClusterError;
      since: number;
    };

/** A configured cluster as the watch caches see it: its error when it does not answer. */
export interface ClusterReachability {
  name: string;
  /** Set while the cluster does not answer. */
  unreachable?: ClusterError;
}

/** Thresholds of the episodes. */
export interface EpisodeTrackerOptions {
  /** How long a readiness drop must last before it is told (ms). */
  readinessDebounceMs: number;
  /** How long a cluster must stay unreachable before it is told (ms). */
  clusterUnreachableAfterMs: number;
  /** An entity not observed for this long is forgotten (ms, default 24 h). */
  forgetAfterMs?: number;
}

interface Episode {
  since: number;
  notified: boolean;
}

interface TrackedEntity {
  observedAt: number;
  /** Whether the entity was seen ready: only a drop from ready is told. */
  wasReady: boolean;
  readiness?: Episode & {
    verdict: Exclude<DrReadiness['verdict'], 'ready'>;
    failing: ReadinessCheck[];
  };
  /** Clusters the database runs in. */
  runsIn: Set<string>;
  clusters: Map<string, Episode & { error: ClusterError }>;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** Keeps the open episodes per entity and says which are due to be told. */
export class EpisodeTracker {
  readonly #options: Required<EpisodeTrackerOptions>;
  readonly #entities = new Map<string, TrackedEntity>();

  constructor(options: EpisodeTrackerOptions) {
    this.#options = { forgetAfterMs: DAY_MS, ...options };
  }

  /** Records an entity's freshly computed topology: its readiness and the clusters it runs in. */
  observeTopology(topology: EntityTopology, now: number): void {
    const known = this.#entities.get(topology.entityRef);
    const entity: TrackedEntity = known ?? {
      observedAt: now,
      wasReady: false,
      runsIn: new Set(),
      clusters: new Map(),
    };
    entity.observedAt = now;
    // A cluster that stopped answering shows no workloads unless its cache
    // is stale: the database still runs there as far as anyone knows.
    entity.runsIn = new Set(
      topology.clusters
        .filter(
          c => c.workloads.length > 0 || (c.error && entity.runsIn.has(c.name)),
        )
        .map(c => c.name),
    );
    for (const name of entity.clusters.keys()) {
      if (!entity.runsIn.has(name)) entity.clusters.delete(name);
    }
    const { verdict, checks } = topology.readiness;
    if (verdict === 'ready') {
      entity.wasReady = true;
      entity.readiness = undefined;
    } else if (entity.readiness) {
      entity.readiness.verdict = verdict;
      entity.readiness.failing = checks.filter(c => c.status !== 'pass');
    } else if (entity.wasReady) {
      // Only a drop from ready opens an episode: a backend that starts
      // while a database is degraded has nothing to compare with.
      entity.readiness = {
        since: now,
        notified: false,
        verdict,
        failing: checks.filter(c => c.status !== 'pass'),
      };
    }
    this.#entities.set(topology.entityRef, entity);
  }

  /** Records which configured clusters answer now. */
  observeClusters(clusters: ClusterReachability[], now: number): void {
    const byName = new Map(clusters.map(c => [c.name, c]));
    for (const entity of this.#entities.values()) {
      for (const name of entity.runsIn) {
        const error = byName.get(name)?.unreachable;
        const episode = entity.clusters.get(name);
        if (!error) entity.clusters.delete(name);
        else if (episode) episode.error = error;
        else entity.clusters.set(name, { since: now, notified: false, error });
      }
    }
  }

  /** The episodes that lasted long enough and were not told yet; marks them told. */
  due(now: number): OwnerEvent[] {
    const events: OwnerEvent[] = [];
    for (const [entityRef, entity] of this.#entities) {
      if (now - entity.observedAt > this.#options.forgetAfterMs) {
        this.#entities.delete(entityRef);
        continue;
      }
      const readiness = entity.readiness;
      if (
        readiness &&
        !readiness.notified &&
        now - readiness.since >= this.#options.readinessDebounceMs
      ) {
        readiness.notified = true;
        events.push({
          kind: 'readiness-dropped',
          entityRef,
          verdict: readiness.verdict,
          failing: readiness.failing,
          since: readiness.since,
        });
      }
      for (const [cluster, episode] of entity.clusters) {
        if (
          !episode.notified &&
          now - episode.since >= this.#options.clusterUnreachableAfterMs
        ) {
          episode.notified = true;
          events.push({
            kind: 'cluster-unreachable',
            entityRef,
            cluster,
            error: episode.error,
            since: episode.since,
          });
        }
      }
    }
    return events;
  }
}
