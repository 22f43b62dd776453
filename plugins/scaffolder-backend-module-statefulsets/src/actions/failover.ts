/*
 * The `multicluster:failover` scaffolder action: starts a switchover,
 * emergency failover or drain of a database through the multi-cluster
 * StatefulSets backend, on behalf of the template's initiator (so the same
 * permission applies as on the entity page), and waits for its outcome. A dry
 * run returns the plan only.
 */
import { parseEntityRef } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import type { RestModels } from '@multicluster/backstage-plugin-statefulsets-common';
import { StatefulsetsBackendClient } from '../backend/StatefulsetsBackendClient';
import { examples } from './failover.examples';

/** The id of the failover action. */
export const FAILOVER_ACTION_ID = 'multicluster:failover';

/** A run in any other state has ended, whatever outcomes the API adds later. */
const UNDER_WAY: RestModels.FailoverRunStatus[] = ['pending', 'running'];

/** The REST path of an entity's failover resources. */
export function failoverPath(entityRef: string): string {
  const { kind, namespace, name } = parseEntityRef(entityRef);
  return `/entities/${[kind, namespace, name]
    .map(encodeURIComponent)
    .join('/')}/failover`;
}

/** Creates the action that runs a failover through the backend plugin. */
export function createFailoverAction(options: {
  client: StatefulsetsBackendClient;
  /** How often a running run is re-read; tests shorten it. */
  pollIntervalMs?: number;
}) {
  const { client } = options;
  const pollIntervalMs = options.pollIntervalMs ?? 2000;
  return createTemplateAction({
    id: FAILOVER_ACTION_ID,
    description:
      'Plans and runs a switchover, emergency failover or drain of a multi-cluster database through the multi-cluster StatefulSets backend, as the template initiator, and waits for the outcome. Dry run returns the plan only.',
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        entityRef: z =>
          z
            .string()
            .describe(
              'The database entity, e.g. "component:default/orders-mysql"',
            ),
        targetCluster: z =>
          z
            .string()
            .describe(
              'Cluster to promote (switchover, failover) or to drain (drain), e.g. "eu-west"',
            ),
        mode: z =>
          z
            .enum(['switchover', 'failover', 'drain'])
            .default('switchover')
            .describe(
              "switchover: planned, zero data loss; failover: emergency, source unreachable, needs force; drain: move an active-active cluster's traffic away",
            ),
        confirm: z =>
          z
            .string()
            .describe(
              'The entity\'s name typed as confirmation, e.g. "orders-mysql"',
            ),
        force: z =>
          z
            .boolean()
            .optional()
            .describe(
              'Required for an emergency failover: promote without fencing the unreachable source',
            ),
        timeoutSeconds: z =>
          z
            .number()
            .int()
            .positive()
            .max(3600)
            .default(600)
            .describe('How long to wait for the run to finish, e.g. 600'),
      },
      output: {
        runId: z => z.string().optional().describe('Id of the started run'),
        status: z =>
          z
            .string()
            .describe(
              'Outcome: succeeded, rolled-back, rolled-back-with-pending-repair, needs-attention, failed, or planned (dry run)',
            ),
        rpoSeconds: z =>
          z
            .number()
            .nullable()
            .optional()
            .describe('Replication lag at fence time, or the data-loss risk'),
        rtoMs: z =>
          z
            .number()
            .nullable()
            .optional()
            .describe('Fence start to traffic moved, in milliseconds'),
        // Outputs must be JSON values (JsonObject) in the published
        // declarations, so the plan is described field by field.
        plan: z =>
          z
            .object({
              allowed: z.boolean(),
              requiresForce: z.boolean(),
              sourceCluster: z.string().optional(),
              targetCluster: z.string(),
              dataLossWindowSeconds: z.number().nullable(),
              checks: z.array(
                z.object({
                  id: z.string(),
                  title: z.string(),
                  status: z.string(),
                  evidence: z.string(),
                }),
              ),
              steps: z.array(
                z.object({
                  index: z.number(),
                  kind: z.string(),
                  title: z.string(),
                  cluster: z.string(),
                  changes: z.array(z.string()),
                }),
              ),
            })
            .optional()
            .describe('The plan (dry run only)'),
      },
    },
    async handler(ctx) {
      const { input } = ctx;
      const { name } = parseEntityRef(input.entityRef);
      if (input.confirm !== name) {
        throw new InputError(
          `confirm: type the entity's name "${name}" to confirm the ${input.mode}`,
        );
      }
      const credentials = await ctx.getInitiatorCredentials();
      const path = parseEntityRef(input.entityRef);

      if (ctx.isDryRun) {
        const plan = await (
          await client.rest.planFailover(
            {
              path,
              body: { targetCluster: input.targetCluster, mode: input.mode },
            },
            await client.callOptions({ credentials }),
          )
        ).json();
        ctx.logger.info(
          `Plan for ${input.mode} of ${input.entityRef} to ${
            input.targetCluster
          }: ${plan.allowed ? 'allowed' : 'not allowed'}`,
        );
        ctx.output('status', 'planned');
        ctx.output('plan', plan);
        return;
      }

      // A retried task resumes waiting for the run it already started.
      const { id } = await ctx.checkpoint({
        key: `multicluster-failover-${input.entityRef}-${input.targetCluster}-${input.mode}`,
        fn: async () =>
          (
            await client.rest.startFailoverRun(
              {
                path,
                body: {
                  targetCluster: input.targetCluster,
                  mode: input.mode,
                  confirm: input.confirm,
                  ...(input.force !== undefined ? { force: input.force } : {}),
                },
              },
              await client.callOptions({ credentials }),
            )
          ).json(),
      });
      ctx.logger.info(`Started ${input.mode} run ${id} of ${input.entityRef}`);
      ctx.output('runId', id);

      const deadline = Date.now() + input.timeoutSeconds * 1000;
      let run: RestModels.FailoverRunDetails;
      const reported = new Set<string>();
      for (;;) {
        run = await (
          await client.rest.getFailoverRun(
            { path: { ...path, id } },
            await client.callOptions({ credentials }),
          )
        ).json();
        for (const step of run.steps ?? []) {
          const key = `${step.index}:${step.status}`;
          if (!reported.has(key) && step.status !== 'pending') {
            reported.add(key);
            ctx.logger.info(
              `step ${step.index + 1} ${step.title}: ${step.status}${
                step.error ? ` (${step.error})` : ''
              }`,
            );
          }
        }
        if (!UNDER_WAY.includes(run.status)) break;
        if (Date.now() > deadline) {
          throw new Error(
            `Run ${id} is still ${run.status} after ${input.timeoutSeconds} s; it goes on in the backend, follow it on the entity's Multi-cluster tab`,
          );
        }
        await new Promise(resolve => setTimeout(resolve, pollIntervalMs));
      }

      ctx.output('status', run.status);
      ctx.output('rpoSeconds', run.rpoSeconds ?? null);
      ctx.output('rtoMs', run.rtoMs ?? null);
      if (run.status !== 'succeeded') {
        throw new Error(
          `Run ${id} ended ${run.status}${run.error ? `: ${run.error}` : ''}${
            run.attention ? `. What a human must do: ${run.attention}` : ''
          }`,
        );
      }
    },
  });
}
