/*
 * How the PostgreSQL provider reaches a side's server: the StatefulSet's
 * primary pod, whether its container has PostgreSQL's client tools (else
 * the provider hands the side to its fallback), and running a command
 * there, refusing workloads another entity or an operator owns before
 * anything changes.
 */
import {
  ANNOTATION_REPLICATION_SOURCE,
  ANNOTATION_ROLE,
  KubeObject,
} from '@multicluster/backstage-plugin-statefulsets-common';
import { FailoverCallContext, FailoverSide } from '../failover';
import { requireSideStamped, loadWorkload } from './GenericStatefulSetProvider';
import {
  parseState,
  PostgresState,
  psql,
  STATE_QUERY,
} from './postgresCommands';
import { PostgresPod, postgresPodOf, standbyTargetsOf } from './postgresPod';
import { annotateRole } from './ExecEngineProvider';

/** How long a side's answer to "can the engine be reached through exec" holds. */
const REACH_TTL_MS = 60_000;

/** How long a probe waits for a side that may be gone. */
export const PROBE_TIMEOUT_MS = 5000;

/** Whether the container has the client tools the provider runs. */
const TOOLS_PROBE = ['psql', '--version'];

/** Options of one command. */
export interface RunOptions {
  timeoutMs?: number;
  /** What a non-zero exit means, for the error. */
  failure?: string;
}

/**
 * Refuses a StatefulSet an operator controls (Zalando's Patroni, …): the
 * operator decides the primary and would undo or fight a promotion.
 */
export function requireNoOperator(side: FailoverSide, obj: KubeObject): void {
  const owner = obj.metadata.ownerReferences?.find(
    r => (r as Record<string, unknown>).controller === true,
  );
  if (owner) {
    throw new Error(
      `StatefulSet ${side.workload.namespace}/${side.workload.name} in ${side.cluster} is controlled by ${owner.kind} ${owner.name} (${owner.apiVersion}); its operator decides the primary, so fail it over through the operator, not by promoting PostgreSQL directly`,
    );
  }
}

/** Runs commands in the sides' PostgreSQL pods. */
export class PostgresExec {
  readonly #execTimeoutMs: number;
  readonly #reachable = new Map<string, { ok: boolean; until: number }>();

  constructor(execTimeoutMs: number) {
    this.#execTimeoutMs = execTimeoutMs;
  }

  /**
   * Whether the engine can be reached in every side's pod: the connection
   * can exec and the container has PostgreSQL's client tools (`psql` and
   * `pg_ctl`); else the fallback acts, as for databases nobody can exec
   * into. The answer is kept for a minute per workload.
   */
  async canExec(...sides: FailoverSide[]): Promise<boolean> {
    for (const side of sides) {
      if (typeof side.client.exec !== 'function') return false;
      const key = `${side.cluster}/${side.workload.namespace}/${side.workload.name}`;
      const known = this.#reachable.get(key);
      if (known && known.until > Date.now()) {
        if (!known.ok) return false;
        continue;
      }
      const { target } = (await this.load(side)).pod;
      const probe = await side.client.exec(target, TOOLS_PROBE, {
        timeoutMs: PROBE_TIMEOUT_MS,
      });
      // 126/127: the shell found no such program, as in a container without them.
      const ok = probe.exitCode !== 126 && probe.exitCode !== 127;
      this.#reachable.set(key, { ok, until: Date.now() + REACH_TTL_MS });
      if (!ok) return false;
    }
    return true;
  }

  async state(side: FailoverSide): Promise<PostgresState> {
    return parseState(await this.run(side, psql(STATE_QUERY)));
  }

  /** A side's StatefulSet as it is now, and its PostgreSQL pod. */
  async load(
    side: FailoverSide,
  ): Promise<{ obj: KubeObject; pod: PostgresPod }> {
    const obj = await loadWorkload(side);
    return { obj, pod: postgresPodOf(side, obj) };
  }

  /** Runs a changing command, after checking the workload is the run entity's and no operator's. */
  async write(
    side: FailoverSide,
    ctx: FailoverCallContext,
    command: string[],
    options?: RunOptions,
  ): Promise<string> {
    const { obj, pod } = await this.load(side);
    requireSideStamped(side, obj, ctx);
    requireNoOperator(side, obj);
    return this.#exec(side, pod, command, options);
  }

  /**
   * Runs a changing command in each of the side's other pods (after the
   * same checks as write), in ordinal order.
   */
  async writeOnStandbys(
    side: FailoverSide,
    ctx: FailoverCallContext,
    command: string[],
    options?: RunOptions,
  ): Promise<void> {
    const { obj, pod } = await this.load(side);
    requireSideStamped(side, obj, ctx);
    requireNoOperator(side, obj);
    for (const target of standbyTargetsOf(obj, pod)) {
      await this.#exec(side, { ...pod, target }, command, options);
    }
  }

  async run(
    side: FailoverSide,
    command: string[],
    options?: RunOptions,
  ): Promise<string> {
    return this.#exec(side, (await this.load(side)).pod, command, options);
  }

  async #exec(
    side: FailoverSide,
    pod: PostgresPod,
    command: string[],
    options?: RunOptions,
  ): Promise<string> {
    const exec = side.client.exec?.bind(side.client);
    if (!exec) {
      throw new Error(
        `The connection to ${side.cluster} cannot exec into pods, which the PostgreSQL provider needs; grant pods/exec to the backend's identity`,
      );
    }
    const { target } = pod;
    const result = await exec(target, command, {
      timeoutMs: options?.timeoutMs ?? this.#execTimeoutMs,
    });
    if (result.exitCode !== 0) {
      const why = options?.failure ?? `A command failed in ${side.cluster}`;
      throw new Error(
        `${why} (pod ${target.namespace}/${target.pod}, exit ${
          result.exitCode
        }): ${result.stderr.trim() || result.stdout.trim()}`,
      );
    }
    return result.stdout;
  }

  /**
   * Mirrors the engine's role in the StatefulSet's role annotations, once
   * the engine changed (they follow it; nothing reads them to act).
   */
  async annotateRole(
    side: FailoverSide,
    role: string,
    source: string | null,
  ): Promise<void> {
    await annotateRole(side, role, source);
  }

  /** The role annotations of a side's StatefulSet now. */
  async roleOf(
    side: FailoverSide,
  ): Promise<{ role: string | null; source: string | null }> {
    const a = (await this.load(side)).obj.metadata.annotations ?? {};
    return {
      role: a[ANNOTATION_ROLE] ?? null,
      source: a[ANNOTATION_REPLICATION_SOURCE] ?? null,
    };
  }
}
