/*
 * The pieces of zod schema the database actions share: how a database is
 * named, the failover modes, and a check with its evidence. Each builder
 * takes the registry's zod, so the schemas are the registry's own and turn
 * into the JSON schemas MCP clients read.
 */
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import type { ActionsRegistryActionOptions } from '@backstage/backend-plugin-api/alpha';
import { FAILOVER_MODES } from '@multicluster/backstage-plugin-statefulsets-common';

/** The zod the actions registry hands to schema builders. */
export type Zod = Parameters<
  ActionsRegistryActionOptions<any, any>['schema']['input']
>[0];

type ZodString = ReturnType<Zod['string']>;
type ZodObject = ReturnType<Zod['object']>;

/** The database's catalog entity, as every action takes it. */
export const entityRefField = (z: Zod): ZodString =>
  z
    .string()
    .min(1)
    .max(400)
    .describe(
      'The catalog entity of the database, e.g. "component:default/orders-mysql". ' +
        'A bare name means a Component in the default namespace.',
    );

/** The failover mode, with what each one does. */
export const modeField = (z: Zod): ReturnType<Zod['enum']> =>
  z
    .enum(FAILOVER_MODES as [string, ...string[]])
    .describe(
      '"switchover": planned, no data loss (fence the active side, wait for the target to catch up, promote, move traffic). ' +
        '"failover": emergency, when the active cluster is unreachable; may lose the writes in the data-loss window. ' +
        '"drain": move an active-active database\'s traffic share off the target cluster.',
    );

/** The cluster a failover moves to. */
export const targetClusterField = (z: Zod): ZodString =>
  z
    .string()
    .min(1)
    .max(253)
    .describe(
      'The cluster to move the primary role (or, for drain, the traffic) to; one of the cluster names get-database-topology lists',
    );

/** The fields of a plan or run request: which database, where to, how. */
export const failoverTargetFields = (
  z: Zod,
): {
  entityRef: ZodString;
  targetCluster: ZodString;
  mode: ReturnType<Zod['enum']>;
} => ({
  entityRef: entityRefField(z),
  targetCluster: targetClusterField(z),
  mode: modeField(z),
});

/** A check with its verdict and evidence (readiness or failover precondition). */
export const checkSchema = (z: Zod): ZodObject =>
  z.object({
    id: z.string(),
    title: z.string(),
    status: z.enum(['pass', 'warn', 'fail']),
    evidence: z.string().describe('What the check saw'),
  });

/**
 * The canonical ref of the entity named in an action's input
 * (`orders-mysql` → `component:default/orders-mysql`).
 */
export function databaseRef(input: string): string {
  try {
    return stringifyEntityRef(
      parseEntityRef(input.trim(), {
        defaultKind: 'component',
        defaultNamespace: 'default',
      }),
    );
  } catch (error) {
    throw new InputError(
      `entityRef: "${input}" is not an entity ref; use kind:namespace/name, e.g. component:default/orders-mysql`,
    );
  }
}
