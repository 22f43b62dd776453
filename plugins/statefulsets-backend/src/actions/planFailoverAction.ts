/*
 * `plan-failover`: the dry run of a switchover, failover or drain, with the
 * same rules as the entity page's plan (FailoverRequests): a signed-in
 * user's credentials, the failover permission on the entity, and a
 * `failover-plan` audit event naming the caller.
 */
import { ActionsRegistryService } from '@backstage/backend-plugin-api/alpha';
import { parseEntityRef } from '@backstage/catalog-model';
import { FailoverMode } from '@multicluster/backstage-plugin-statefulsets-common';
import { FailoverRequests } from '../failover/FailoverRequests';
import {
  checkSchema,
  databaseRef,
  failoverTargetFields,
} from './actionSchemas';

/** Registers `plan-failover`. */
export function registerPlanFailoverAction(
  registry: ActionsRegistryService,
  deps: { requests: Pick<FailoverRequests, 'plan'> },
): void {
  registry.register({
    name: 'plan-failover',
    title: 'Plan a database failover',
    description:
      "Dry run of moving a multi-cluster database's primary role to another cluster: changes nothing, " +
      'returns whether it is allowed, every precondition check with its evidence (target healthy, lag under ' +
      'the bound, no other run in progress, ownership of the objects), the ordered steps with the objects each ' +
      'changes, and the data-loss window in seconds (0 for a switchover that waits for catch-up; null when ' +
      'unknown). Needs the failover permission on the entity (its owners). Call it and show the plan to the ' +
      'user before start-failover.',
    attributes: { readOnly: true, idempotent: true, destructive: false },
    schema: {
      input: z =>
        z.object({
          ...failoverTargetFields(z),
        }),
      output: z =>
        z.object({
          entityRef: z.string(),
          mode: z.string(),
          sourceCluster: z
            .string()
            .optional()
            .describe('The side giving up the primary role'),
          targetCluster: z.string(),
          allowed: z.boolean().describe('True when no check failed'),
          requiresForce: z
            .boolean()
            .describe('An emergency failover needs force: true'),
          offeredModes: z
            .array(z.string())
            .describe('Modes the current state allows'),
          checks: z.array(checkSchema(z)),
          steps: z.array(
            z.object({
              index: z.number(),
              kind: z.string(),
              title: z.string(),
              cluster: z.string(),
              changes: z.array(z.string()),
            }),
          ),
          dataLossWindowSeconds: z
            .number()
            .nullable()
            .describe('Seconds of writes that may be lost; null when unknown'),
          dataLoss: z.string().describe('The data-loss window in words'),
          fenceMethod: z.string(),
          routing: z
            .string()
            .describe('How traffic moves: istio, mcs or none (by hand)'),
          warnings: z.array(z.string()),
          confirmWith: z
            .string()
            .describe('The value start-failover needs as confirm'),
        }),
    },
    examples: [
      {
        title: 'Planned switchover of the demo database to eu-west',
        input: {
          entityRef: 'component:default/orders-mysql',
          targetCluster: 'eu-west',
          mode: 'switchover',
        },
      },
    ],
    action: async ({ input, credentials }) => {
      const entityRef = databaseRef(input.entityRef);
      const plan = await deps.requests.plan(
        entityRef,
        {
          targetCluster: input.targetCluster,
          mode: input.mode as FailoverMode,
        },
        { credentials, via: 'action:plan-failover' },
      );
      return {
        output: {
          ...plan,
          steps: plan.steps.map(({ index, kind, title, cluster, changes }) => ({
            index,
            kind,
            title,
            cluster,
            changes,
          })),
          confirmWith: parseEntityRef(entityRef).name,
        },
      };
    },
  });
}
