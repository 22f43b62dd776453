/*
 * `get-database-topology`: the summary of a database's multi-cluster
 * topology (see summarizeTopology.ts), under the same read permission as
 * the topology page, read with the caller's credentials.
 */
import { PermissionsService } from '@backstage/backend-plugin-api';
import { ActionsRegistryService } from '@backstage/backend-plugin-api/alpha';
import { topologyReadPermission } from '@multicluster/backstage-plugin-statefulsets-common';
import {
  requirePermission,
  TopologyReader,
} from '../failover/FailoverRequests';
import { checkSchema, databaseRef, entityRefField } from './actionSchemas';
import { summarizeTopology } from './summarizeTopology';

/** Registers `get-database-topology`. */
export function registerGetDatabaseTopologyAction(
  registry: ActionsRegistryService,
  deps: { topology: TopologyReader; permissions: PermissionsService },
): void {
  registry.register({
    name: 'get-database-topology',
    title: 'Get database topology',
    description:
      'Summarizes where a multi-cluster database runs: each Kubernetes cluster with its region, ' +
      'whether it answers, its role (active, passive, fenced) and traffic weight; each StatefulSet or ' +
      'operator workload with its role, desired and ready replicas and primary pods; the replication ' +
      'links with lag in seconds (null when unknown) and where the lag was measured; and the disaster-recovery ' +
      'readiness verdict (ready, degraded, not-ready) with the checks that did not pass. ' +
      'Use it before plan-failover to pick a target cluster.',
    attributes: { readOnly: true, idempotent: true, destructive: false },
    schema: {
      input: z => z.object({ entityRef: entityRefField(z) }),
      output: z =>
        z.object({
          entityRef: z.string(),
          generatedAt: z.string().describe('When the topology was computed'),
          engine: z.string().describe('Database engine, e.g. mysql'),
          strategy: z.string().describe('active-passive or active-active'),
          maxFailoverLagSeconds: z
            .number()
            .describe('Replication lag a switchover tolerates'),
          clusters: z.array(
            z.object({
              name: z.string(),
              region: z.string().optional(),
              reachable: z.boolean(),
              stale: z
                .boolean()
                .describe('True when shown from cache while the cluster fails'),
              error: z.string().optional(),
              role: z.string().describe('active, passive, fenced or unknown'),
              trafficWeight: z.number().optional().describe('Percent'),
              workloads: z.array(
                z.object({
                  kind: z.string(),
                  namespace: z.string(),
                  name: z.string(),
                  role: z.string(),
                  replicas: z.object({
                    desired: z.number(),
                    ready: z.number(),
                  }),
                  primaryPods: z.array(z.string()),
                }),
              ),
            }),
          ),
          replication: z.array(
            z.object({
              from: z.string(),
              to: z.string(),
              workload: z.string(),
              lagSeconds: z.number().nullable(),
              lagSource: z
                .string()
                .describe(
                  'Who measured the lag (a provider, or e.g. prometheus)',
                ),
              healthy: z.boolean(),
              reason: z.string().optional(),
            }),
          ),
          traffic: z.object({
            routing: z
              .string()
              .describe('How clients are routed: istio, mcs or none'),
            weights: z.record(z.number()),
          }),
          driftedFields: z
            .number()
            .describe('Fields whose value differs between clusters'),
          readiness: z.object({
            verdict: z.enum(['ready', 'degraded', 'not-ready']),
            failingChecks: z
              .array(checkSchema(z))
              .describe('Checks with status warn or fail'),
            passedChecks: z.number(),
          }),
        }),
    },
    examples: [
      {
        title: 'The demo MySQL database',
        input: { entityRef: 'component:default/orders-mysql' },
      },
    ],
    action: async ({ input, credentials }) => {
      const entityRef = databaseRef(input.entityRef);
      await requirePermission(
        deps.permissions,
        credentials,
        topologyReadPermission,
        entityRef,
      );
      const { topology } = await deps.topology.getTopology(
        entityRef,
        credentials,
      );
      return { output: summarizeTopology(topology) };
    },
  });
}
