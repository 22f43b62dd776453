/*
 * The `multicluster:statefulset:apply` scaffolder action: reads the
 * manifests the generate step wrote, and has the backend plugin (which alone
 * holds cluster credentials) server-side-apply them per cluster and register
 * the catalog entity. Finished clusters are checkpointed, so a retried task
 * only applies what is still missing.
 */
import fs from 'node:fs/promises';
import { resolveSafeChildPath } from '@backstage/backend-plugin-api';
import { parseEntityRef } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import type {
  ApplyRequest,
  RestModels,
} from '@multicluster/backstage-plugin-statefulsets-common';
import { parse, parseAllDocuments } from 'yaml';
import { StatefulsetsBackendClient } from '../backend/StatefulsetsBackendClient';
import { examples } from './apply.examples';

/** The id of the apply action. */
export const APPLY_ACTION_ID = 'multicluster:statefulset:apply';

/** Kinds that live outside namespaces, so the default namespace is not set on them. */
const CLUSTER_SCOPED = new Set([
  'Namespace',
  'PersistentVolume',
  'StorageClass',
  'ClusterRole',
  'ClusterRoleBinding',
  'CustomResourceDefinition',
  'ClusterPropagationPolicy',
  'ClusterOverridePolicy',
]);

/** Applying a large set to a slow cluster takes a while; the backend times each call out itself. */
const APPLY_TIMEOUT_MS = 5 * 60_000;

/** Thrown inside a checkpoint probe: the cluster has no recorded success yet. */
class NotAppliedYet extends Error {}

/** The entity page of an entity ref, relative to the portal's base URL. */
export function catalogPathOf(entityRef: string): string {
  const { kind, namespace, name } = parseEntityRef(entityRef);
  return `/catalog/${encodeURIComponent(namespace)}/${encodeURIComponent(
    kind.toLocaleLowerCase('en-US'),
  )}/${encodeURIComponent(name)}`;
}

async function readYamlObjects(
  workspacePath: string,
  file: string,
  namespace: string | undefined,
): Promise<RestModels.ManifestObject[]> {
  const target = resolveSafeChildPath(workspacePath, file);
  let text: string;
  try {
    text = await fs.readFile(target, 'utf8');
  } catch (err) {
    throw new InputError(`${file}: cannot be read: ${(err as Error).message}`);
  }
  const objects: RestModels.ManifestObject[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0) {
      throw new InputError(`${file}: not valid YAML: ${doc.errors[0].message}`);
    }
    const value = doc.toJS();
    // Comment-only documents (e.g. kustomization notes) carry no object.
    if (value === null || value === undefined) continue;
    if (typeof value !== 'object' || !value.apiVersion || !value.kind) {
      throw new InputError(`${file}: a document is not a Kubernetes object`);
    }
    if (
      namespace &&
      !value.metadata?.namespace &&
      !CLUSTER_SCOPED.has(value.kind)
    ) {
      value.metadata = { ...value.metadata, namespace };
    }
    objects.push(value);
  }
  return objects;
}

/** Creates the action that applies generated manifests through the backend plugin. */
export function createApplyStatefulSetAction(options: {
  client: StatefulsetsBackendClient;
}) {
  const { client } = options;
  return createTemplateAction({
    id: APPLY_ACTION_ID,
    description:
      'Server-side applies the manifests written by multicluster:statefulset:generate to their clusters through the multi-cluster StatefulSets backend (which holds the cluster credentials), and registers the catalog entity once every cluster succeeded.',
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        entityRef: z =>
          z
            .string()
            .describe(
              'Ref of the database entity, e.g. "component:default/orders-db" (the generate step output entityRef)',
            ),
        namespace: z =>
          z
            .string()
            .optional()
            .describe(
              'Namespace for namespaced objects whose manifest names none, e.g. "orders"',
            ),
        clusters: z =>
          z
            .array(
              z.object({
                name: z.string().describe('Cluster name, e.g. "eu-central"'),
                region: z.string().optional().describe('Cluster region'),
                role: z
                  .string()
                  .optional()
                  .describe('Database role in this cluster'),
                federationHost: z
                  .boolean()
                  .optional()
                  .describe(
                    'True on the federation host: the Karmada API server, or the KubeFed host cluster',
                  ),
                manifests: z
                  .array(z.string())
                  .describe(
                    'Workspace-relative manifest files, applied in this order',
                  ),
              }),
            )
            .min(1)
            .describe('The apply plan: the generate step output clusters'),
        catalogInfoPath: z =>
          z
            .string()
            .optional()
            .describe(
              'Workspace-relative catalog-info.yaml to register; "catalog-info.yaml" by default',
            ),
        register: z =>
          z
            .boolean()
            .optional()
            .describe(
              'Register the entity in the catalog through the backend (default true); false when the entity is published elsewhere, e.g. to a Git host',
            ),
      },
      output: {
        results: z =>
          z
            .array(
              z.object({
                cluster: z.string().describe('Cluster name'),
                status: z.enum(['ok', 'failed']).describe('Outcome'),
                objects: z
                  .array(
                    z.object({
                      kind: z.string().describe('Object kind'),
                      name: z.string().describe('Object name'),
                      namespace: z
                        .string()
                        .optional()
                        .describe('Object namespace'),
                      action: z
                        .enum(['created', 'configured', 'unchanged'])
                        .describe('What the apply did'),
                    }),
                  )
                  .describe('Every object applied, in order'),
                error: z.string().optional().describe('Why the cluster failed'),
              }),
            )
            .describe('The result of each cluster'),
        entityRef: z => z.string().describe('Ref of the database entity'),
        catalogUrl: z =>
          z
            .string()
            .describe(
              'Path of the entity page relative to the portal, e.g. /catalog/default/component/orders-db',
            ),
        registered: z =>
          z.boolean().describe('True when the backend registered the entity'),
      },
    },
    async handler(ctx) {
      const { input } = ctx;
      const dryRun = Boolean(ctx.isDryRun);
      const entityRef = input.entityRef;

      const targets = await Promise.all(
        input.clusters.map(async c => ({
          name: c.name,
          manifests: (
            await Promise.all(
              c.manifests.map(file =>
                readYamlObjects(ctx.workspacePath, file, input.namespace),
              ),
            )
          ).flat(),
        })),
      );

      let catalogInfo: ApplyRequest['catalogInfo'] = undefined;
      if (input.register !== false && !dryRun) {
        const file = input.catalogInfoPath ?? 'catalog-info.yaml';
        try {
          catalogInfo = parse(
            await fs.readFile(
              resolveSafeChildPath(ctx.workspacePath, file),
              'utf8',
            ),
          );
        } catch (err) {
          throw new InputError(
            `catalogInfoPath: ${file} cannot be read: ${
              (err as Error).message
            }`,
          );
        }
      }

      const key = (cluster: string) =>
        `multicluster-statefulset-apply-${entityRef}-${cluster}`;
      // A retried task finds the clusters an earlier attempt finished; a
      // dry run never records anything. The probe throws so that nothing is
      // recorded for a cluster yet: the still-missing clusters go to the
      // backend together in one call, which registers the entity only when
      // all of them succeed, and each success is recorded after that call.
      const finished = new Map<string, RestModels.ClusterApplyResult>();
      if (!dryRun) {
        for (const t of targets) {
          try {
            const previous = await ctx.checkpoint<any>({
              key: key(t.name),
              fn: async () => {
                throw new NotAppliedYet(`${t.name} not applied yet`);
              },
            });
            finished.set(t.name, previous as RestModels.ClusterApplyResult);
          } catch (err) {
            if (!(err instanceof NotAppliedYet)) throw err;
          }
        }
      }
      const pending = targets.filter(t => !finished.has(t.name));

      let response: RestModels.ApplyResponse | undefined;
      if (pending.length > 0) {
        response = await (
          await client.rest.apply(
            {
              body: {
                entityRef,
                dryRun,
                clusters: pending,
                ...(catalogInfo ? { catalogInfo } : {}),
              },
            },
            await client.callOptions({
              credentials: await ctx.getInitiatorCredentials(),
              timeoutMs: APPLY_TIMEOUT_MS,
            }),
          )
        ).json();
        if (!dryRun) {
          for (const r of response.results.filter(x => x.status === 'ok')) {
            await ctx.checkpoint({
              key: key(r.cluster),
              fn: async () => JSON.parse(JSON.stringify(r)),
            });
          }
        }
      }

      const results = targets.map(
        t =>
          finished.get(t.name) ??
          response!.results.find(r => r.cluster === t.name) ?? {
            cluster: t.name,
            status: 'failed' as const,
            objects: [],
            error: 'the backend returned no result for this cluster',
          },
      );
      for (const r of results) {
        const counts = ['created', 'configured', 'unchanged']
          .map(a => `${r.objects.filter(o => o.action === a).length} ${a}`)
          .join(', ');
        const prefix = `${dryRun ? 'Dry run: ' : ''}${r.cluster}`;
        if (finished.has(r.cluster)) {
          ctx.logger.info(
            `${prefix}: applied by an earlier attempt (${counts})`,
          );
        } else if (r.status === 'ok') {
          ctx.logger.info(`${prefix}: ok (${counts})`);
        } else {
          ctx.logger.error(`${prefix}: failed: ${r.error}`);
        }
      }

      ctx.output('results', results);
      ctx.output('entityRef', entityRef);
      ctx.output('catalogUrl', catalogPathOf(entityRef));
      ctx.output(
        'registered',
        response ? response.registered : catalogInfo !== undefined,
      );

      const failed = results.filter(r => r.status === 'failed');
      if (failed.length > 0) {
        throw new Error(
          `Apply of ${entityRef} failed in ${failed.length} of ${
            results.length
          } cluster(s): ${failed
            .map(r => `${r.cluster} (${r.error})`)
            .join('; ')}`,
        );
      }
    },
  });
}
