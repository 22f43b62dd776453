/*
 * `list-failover-runs`: an entity's failover runs, newest first, under the
 * read permission, as the entity page's history lists them.
 */
import { ActionsRegistryService } from '@backstage/backend-plugin-api/alpha';
import { FailoverRequests } from '../failover/FailoverRequests';
import { databaseRef, entityRefField } from './actionSchemas';

/** Registers `list-failover-runs`. */
export function registerListFailoverRunsAction(
  registry: ActionsRegistryService,
  deps: { requests: Pick<FailoverRequests, 'listRuns'> },
): void {
  registry.register({
    name: 'list-failover-runs',
    title: 'List failover runs',
    description:
      'Lists the failover runs of a multi-cluster database, newest first: mode, source and target cluster, ' +
      'status (pending, running, succeeded, rolled-back, rolled-back-with-pending-repair, needs-attention, ' +
      'failed), who started it, when, the recovery point (seconds of lag at fence time) and recovery time, and ' +
      'what a human must do when a run needs attention. Use it to follow a run start-failover started.',
    attributes: { readOnly: true, idempotent: true, destructive: false },
    schema: {
      input: z =>
        z.object({
          entityRef: entityRefField(z),
          limit: z
            .number()
            .int()
            .min(1)
            .max(50)
            .default(10)
            .describe('How many runs at most (1-50, default 10)'),
        }),
      output: z =>
        z.object({
          runs: z.array(
            z.object({
              id: z.string(),
              mode: z.string(),
              sourceCluster: z.string().optional(),
              targetCluster: z.string(),
              status: z.string(),
              actor: z.string().describe('Who started the run'),
              createdAt: z.string(),
              startedAt: z.string().optional(),
              finishedAt: z.string().optional(),
              rpoSeconds: z.number().nullable().optional(),
              rtoMs: z.number().nullable().optional(),
              error: z.string().optional(),
              attention: z.string().optional().describe('What a human must do'),
              reason: z.string().optional(),
            }),
          ),
        }),
    },
    examples: [
      {
        title: 'The last five runs of the demo database',
        input: { entityRef: 'component:default/orders-mysql', limit: 5 },
      },
    ],
    action: async ({ input, credentials }) => {
      const runs = await deps.requests.listRuns(
        databaseRef(input.entityRef),
        { credentials, via: 'action:list-failover-runs' },
        { limit: input.limit },
      );
      // The plan of each run stays out: plan-failover and the page show it.
      return { output: { runs: runs.map(({ plan: _plan, ...run }) => run) } };
    },
  });
}
