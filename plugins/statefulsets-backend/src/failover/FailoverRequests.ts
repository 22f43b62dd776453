/*
 * The rules every failover request obeys, whichever door it came through
 * (the REST routes the entity page and the scaffolder use, or the actions
 * agents call over MCP): who may write, which permission on which entity,
 * the typed confirmation, `force` for an emergency failover, the target
 * being one of the entity's clusters, and the audit event around it. The
 * doors only translate; the rules live here once, so they cannot drift.
 */
import {
  AuditorService,
  BackstageCredentials,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { parseEntityRef } from '@backstage/catalog-model';
import { InputError, NotAllowedError, NotFoundError } from '@backstage/errors';
import {
  AuthorizeResult,
  BasicPermission,
  ResourcePermission,
} from '@backstage/plugin-permission-common';
import {
  EntityTopology,
  failoverExecutePermission,
  FailoverMode,
  FailoverPlan,
  FailoverRun,
  FailoverRunDetails,
  topologyReadPermission,
} from '@multicluster/backstage-plugin-statefulsets-common';
import type { Request } from 'express';
import { WriteIdentityResolver } from '../cluster/writeIdentity';
import { callerOf, requireWriter } from '../service/writerPrincipal';
import { DatabaseFailoverStore } from './DatabaseFailoverStore';
import { FailoverEngine } from './FailoverEngine';

/** Reads an entity's current topology (the TopologyService). */
export interface TopologyReader {
  getTopology(
    entityRef: string,
    credentials: BackstageCredentials,
  ): Promise<{ topology: EntityTopology }>;
}

/** What the request rules need. */
export interface FailoverRequestsOptions {
  engine: Pick<FailoverEngine, 'plan' | 'start'>;
  store: Pick<DatabaseFailoverStore, 'listRuns' | 'getRunDetails'>;
  topology: TopologyReader;
  permissions: PermissionsService;
  auditor: AuditorService;
  /** The identity a run's writes act as (impersonation); none: the backend's own. */
  writeIdentity?: WriteIdentityResolver;
  /** Service subjects allowed to plan and run failovers (`readAllowedWriterServices`); none by default. */
  allowedWriterServices?: readonly string[];
}

/** Who asks, and through which door. */
export interface FailoverCaller {
  credentials: BackstageCredentials;
  /** The HTTP request of a REST call; the auditor reads the caller and address from it. */
  request?: Request<any, any, any, any, any>;
  /** The door, recorded in audit events: `rest` (default) or `action:<id>`. */
  via?: string;
}

/** A plan (dry run) request. */
export interface PlanFailoverRequest {
  targetCluster: string;
  mode: FailoverMode;
}

/** A run request: the plan's fields, the typed confirmation, and force for an emergency failover. */
export interface StartFailoverRequest extends PlanFailoverRequest {
  /** The entity's name, typed to confirm. */
  confirm: string;
  /** Required (true) for `mode: failover`. */
  force?: boolean;
  /** Why an emergency failover is forced while the source still answers. */
  reason?: string;
}

/**
 * Throws NotAllowedError naming the permission, the entity and the caller
 * unless the permission policy allows it.
 */
export async function requirePermission(
  permissions: PermissionsService,
  credentials: BackstageCredentials,
  permission: BasicPermission | ResourcePermission,
  entityRef: string,
): Promise<void> {
  const [decision] = await permissions.authorize(
    [{ permission, resourceRef: entityRef } as any],
    { credentials },
  );
  if (decision.result !== AuthorizeResult.ALLOW) {
    throw new NotAllowedError(
      `Not allowed: ${permission.name} on ${entityRef} for ${callerOf(
        credentials,
      )}`,
    );
  }
}

/** The failover requests, with their rules; see the module comment. */
export class FailoverRequests {
  readonly #options: FailoverRequestsOptions;
  readonly #allowedServices: readonly string[];

  private constructor(options: FailoverRequestsOptions) {
    this.#options = options;
    this.#allowedServices = options.allowedWriterServices ?? [];
  }

  /** Creates the rules over the given engine, journal and services. */
  static create(options: FailoverRequestsOptions): FailoverRequests {
    return new FailoverRequests(options);
  }

  /** The dry run: what would happen, its checks and data-loss window. Audited as `failover-plan`. */
  async plan(
    entityRef: string,
    body: PlanFailoverRequest,
    caller: FailoverCaller,
  ): Promise<FailoverPlan> {
    return this.#audited(
      'failover-plan',
      'medium',
      entityRef,
      caller,
      async () => {
        const { credentials } = caller;
        requireWriter(credentials, this.#allowedServices);
        await this.#authorize(
          credentials,
          failoverExecutePermission,
          entityRef,
        );
        const { targetCluster, mode } = trimTarget(body);
        const topology = await this.#load(
          entityRef,
          credentials,
          targetCluster,
        );
        const plan = await this.#options.engine.plan({
          topology,
          targetCluster,
          mode,
          writeIdentity: await this.#options.writeIdentity?.(credentials),
        });
        return {
          result: plan,
          meta: { targetCluster, mode, allowed: plan.allowed },
        };
      },
    );
  }

  /** Starts a run; the engine carries it on in the background. Audited as `failover-execute`. */
  async start(
    entityRef: string,
    body: StartFailoverRequest,
    caller: FailoverCaller,
  ): Promise<FailoverRun> {
    return this.#audited(
      'failover-execute',
      'high',
      entityRef,
      caller,
      async () => {
        const { credentials } = caller;
        const actor = requireWriter(credentials, this.#allowedServices);
        await this.#authorize(
          credentials,
          failoverExecutePermission,
          entityRef,
        );
        const { targetCluster, mode, confirm, force, reason } =
          trimTarget(body);
        const { name } = parseEntityRef(entityRef);
        if (confirm !== name) {
          throw new InputError(
            `confirm: type the entity name "${name}" to confirm`,
          );
        }
        if (mode === 'failover' && force !== true) {
          throw new InputError(
            'force: an emergency failover may lose data and needs force: true',
          );
        }
        const topology = await this.#load(
          entityRef,
          credentials,
          targetCluster,
        );
        const run = await this.#options.engine.start({
          topology,
          targetCluster,
          mode,
          force: force === true,
          reason,
          actor,
          writeIdentity: await this.#options.writeIdentity?.(credentials),
        });
        return {
          result: run,
          meta: {
            runId: run.id,
            targetCluster,
            mode,
            force: force === true,
            ...(run.reason ? { reason: run.reason } : {}),
          },
        };
      },
    );
  }

  /** The entity's runs, newest first, under the read permission. */
  async listRuns(
    entityRef: string,
    caller: FailoverCaller,
    options?: { limit?: number },
  ): Promise<FailoverRun[]> {
    await this.#authorize(
      caller.credentials,
      topologyReadPermission,
      entityRef,
    );
    return this.#options.store.listRuns(entityRef, options);
  }

  /** One run of the entity with its journal, under the read permission. */
  async getRun(
    entityRef: string,
    id: string,
    caller: FailoverCaller,
  ): Promise<FailoverRunDetails> {
    await this.#authorize(
      caller.credentials,
      topologyReadPermission,
      entityRef,
    );
    const run = await this.#options.store.getRunDetails(id);
    if (run.entityRef !== entityRef) {
      throw new NotFoundError(`No failover run ${id} for ${entityRef}`);
    }
    return run;
  }

  #authorize(
    credentials: BackstageCredentials,
    permission: BasicPermission | ResourcePermission,
    entityRef: string,
  ) {
    return requirePermission(
      this.#options.permissions,
      credentials,
      permission,
      entityRef,
    );
  }

  async #load(
    entityRef: string,
    credentials: BackstageCredentials,
    targetCluster: string,
  ): Promise<EntityTopology> {
    const { topology } = await this.#options.topology.getTopology(
      entityRef,
      credentials,
    );
    if (!topology.clusters.some(c => c.name === targetCluster)) {
      throw new InputError(
        `targetCluster: unknown cluster "${targetCluster}" (known: ${topology.clusters
          .map(c => c.name)
          .join(', ')})`,
      );
    }
    return topology;
  }

  /** Runs `work` inside an audit event that names the caller and the door. */
  async #audited<T>(
    eventId: string,
    severityLevel: 'medium' | 'high',
    entityRef: string,
    caller: FailoverCaller,
    work: () => Promise<{ result: T; meta: Record<string, string | boolean> }>,
  ): Promise<T> {
    const event = await this.#options.auditor.createEvent({
      eventId,
      severityLevel,
      ...(caller.request ? { request: caller.request } : {}),
      // Without a request the auditor would name the plugin itself as the
      // actor: the caller is recorded here in every case.
      meta: {
        entityRef,
        caller: callerOf(caller.credentials),
        via: caller.via ?? 'rest',
      },
    });
    try {
      const { result, meta } = await work();
      await event.success({ meta });
      return result;
    } catch (error) {
      await event.fail({ error: error as Error });
      throw error;
    }
  }
}

/** The body with the target cluster trimmed; an empty one is refused. */
function trimTarget<T extends PlanFailoverRequest>(body: T): T {
  const targetCluster = body.targetCluster.trim();
  if (!targetCluster) {
    throw new InputError('targetCluster: required, the cluster to move to');
  }
  return { ...body, targetCluster };
}
