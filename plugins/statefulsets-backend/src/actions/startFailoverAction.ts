/*
 * `start-failover`: starts a switchover, emergency failover or drain with
 * exactly the entity page's rules (FailoverRequests): the calling user's
 * own credentials (a service principal only when the configuration names
 * it), the failover permission on the entity, the entity's name typed as
 * confirmation, force for an emergency failover, and a `failover-execute`
 * audit event naming the caller. The run carries on in the background.
 */
import { ActionsRegistryService } from '@backstage/backend-plugin-api/alpha';
import { FailoverMode } from '@multicluster/backstage-plugin-statefulsets-common';
import { FailoverRequests } from '../failover/FailoverRequests';
import { databaseRef, failoverTargetFields } from './actionSchemas';

/** Registers `start-failover`. */
export function registerStartFailoverAction(
  registry: ActionsRegistryService,
  deps: { requests: Pick<FailoverRequests, 'start'> },
): void {
  registry.register({
    name: 'start-failover',
    title: 'Start a database failover',
    description:
      "Starts moving a multi-cluster database's primary role to another cluster, acting as the calling user: " +
      'fences the old side, promotes the target and moves traffic, rolling back if a step before promotion fails. ' +
      "Only the entity's owners may (the failover permission); a refusal says which permission on which entity. " +
      'Always call plan-failover first, show the plan and its data-loss window to the user, and ask them to ' +
      'confirm by typing the database name: pass it as confirm. An emergency failover (mode failover) also ' +
      'needs force: true. Returns the run id; follow it with list-failover-runs.',
    attributes: { readOnly: false, idempotent: false, destructive: true },
    schema: {
      input: z =>
        z.object({
          ...failoverTargetFields(z),
          confirm: z
            .string()
            .max(253)
            .describe(
              'The database\'s entity name (e.g. "orders-mysql"), typed by the user to confirm; plan-failover returns it as confirmWith',
            ),
          force: z
            .boolean()
            .optional()
            .describe('Required (true) for mode failover, which may lose data'),
          reason: z
            .string()
            .max(1000)
            .optional()
            .describe(
              'Why an emergency failover is forced while the source still answers; recorded with the run',
            ),
        }),
      output: z =>
        z.object({
          runId: z.string(),
          status: z.string(),
          entityRef: z.string(),
          mode: z.string(),
          sourceCluster: z.string().optional(),
          targetCluster: z.string(),
          actor: z.string().describe('The user the run acts for'),
        }),
    },
    action: async ({ input, credentials }) => {
      const run = await deps.requests.start(
        databaseRef(input.entityRef),
        {
          targetCluster: input.targetCluster,
          mode: input.mode as FailoverMode,
          confirm: input.confirm,
          force: input.force,
          reason: input.reason,
        },
        { credentials, via: 'action:start-failover' },
      );
      return {
        output: {
          runId: run.id,
          status: run.status,
          entityRef: run.entityRef,
          mode: run.mode,
          ...(run.sourceCluster ? { sourceCluster: run.sourceCluster } : {}),
          targetCluster: run.targetCluster,
          actor: run.actor,
        },
      };
    },
  });
}
