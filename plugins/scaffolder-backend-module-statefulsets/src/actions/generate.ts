/*
 * The `multicluster:statefulset:generate` scaffolder action: asks which
 * clusters exist, generates and validates every manifest of a multi-cluster
 * database, and only then writes them into the workspace.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { resolveSafeChildPath } from '@backstage/backend-plugin-api';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { ClusterDirectory } from '../clusters/ClusterDirectory';
import { generateManifests } from '../generate/generateManifests';
import { ClusterInfo } from '../generate/types';
import { validateManifests } from '../generate/validateManifests';
import { examples } from './generate.examples';

/** The id of the generate action. */
export const GENERATE_ACTION_ID = 'multicluster:statefulset:generate';

/** Creates the action that scaffolds a multi-cluster StatefulSet database. */
export function createGenerateStatefulSetAction(options: {
  clusterDirectory: ClusterDirectory;
}) {
  const { clusterDirectory } = options;
  return createTemplateAction({
    id: GENERATE_ACTION_ID,
    description:
      'Generates the per-cluster StatefulSets (or CloudNativePG Clusters), Services, volumes, replication settings, federation, routing and catalog entity of a database that spans several Kubernetes clusters, validated against the Kubernetes, Istio and CRD schemas before anything is written.',
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        name: z =>
          z
            .string()
            .describe(
              'Name of the database: the StatefulSet, Service and catalog entity name (DNS-1123 label, at most 54 characters), e.g. "orders-db"',
            ),
        namespace: z =>
          z
            .string()
            .describe('Kubernetes namespace in every cluster, e.g. "orders"'),
        engine: z =>
          z
            .enum([
              'mysql',
              'postgresql',
              'mongodb',
              'kafka',
              'elasticsearch',
              'generic',
            ])
            .describe(
              'Database engine; decides the default image and how replication is wired (PostgreSQL runs as a CloudNativePG Cluster)',
            ),
        image: z =>
          z
            .string()
            .optional()
            .describe(
              'Container image without tag; defaults per engine (e.g. docker.io/library/mysql), required for generic',
            ),
        version: z =>
          z
            .string()
            .optional()
            .describe('Image tag; defaults per engine (e.g. "8.4" for mysql)'),
        port: z =>
          z
            .number()
            .int()
            .optional()
            .describe('Client port; defaults per engine (e.g. 3306 for mysql)'),
        strategy: z =>
          z
            .enum(['active-passive', 'active-active'])
            .describe(
              'active-passive: one cluster takes writes, the others replicate from it; active-active: every active cluster takes writes',
            ),
        clusters: z =>
          z
            .array(
              z.object({
                name: z
                  .string()
                  .describe(
                    'A cluster configured in the backend, e.g. "eu-central"',
                  ),
                role: z
                  .enum(['active', 'passive'])
                  .describe('active takes writes; passive replicates'),
                weight: z
                  .number()
                  .int()
                  .min(0)
                  .max(100)
                  .describe(
                    'Share of client traffic in percent; all weights add up to 100',
                  ),
                replicas: z
                  .number()
                  .int()
                  .min(1)
                  .describe('Pods in this cluster, e.g. 3'),
                storageClass: z
                  .string()
                  .optional()
                  .describe(
                    'StorageClass in this cluster; overrides storage.storageClass',
                  ),
                ordinalsStart: z
                  .number()
                  .int()
                  .min(0)
                  .optional()
                  .describe(
                    'First pod ordinal here (spec.ordinals.start); assigned so ranges never overlap when empty',
                  ),
                mcsClusterId: z
                  .string()
                  .optional()
                  .describe(
                    "With mcs routing: this cluster's id in its cluster.clusterset.k8s.io ClusterProperty; the cluster name when empty",
                  ),
              }),
            )
            .min(1)
            .describe(
              'Where the database runs, e.g. [{ name: eu-central, role: active, weight: 100, replicas: 3 }]',
            ),
        storage: z =>
          z
            .object({
              size: z
                .string()
                .describe(
                  'Volume size per pod, a Kubernetes quantity, e.g. "20Gi"',
                ),
              storageClass: z
                .string()
                .optional()
                .describe('Default StorageClass, e.g. "fast-ssd"'),
              accessMode: z
                .enum(['ReadWriteOnce', 'ReadWriteMany'])
                .optional()
                .describe(
                  'ReadWriteOnce (default): one volume per pod; ReadWriteMany: a shared CephFS volume per cluster',
                ),
              sharedVolume: z
                .object({
                  cephfs: z
                    .object({
                      fsName: z
                        .string()
                        .describe('CephFS file system name, e.g. "cephfs"'),
                      path: z
                        .string()
                        .describe(
                          'Directory inside the file system, e.g. "/volumes/orders"',
                        ),
                      clusterID: z
                        .string()
                        .describe('Ceph cluster id known to the CSI driver'),
                      secretRef: z
                        .object({
                          name: z
                            .string()
                            .describe('Secret with the CephFS user key'),
                          namespace: z
                            .string()
                            .optional()
                            .describe(
                              'Namespace of the Secret; the database namespace when empty',
                            ),
                        })
                        .describe('nodeStageSecretRef of the static volume'),
                    })
                    .optional()
                    .describe(
                      'Static CSI (cephfs.csi.ceph.com) volume shared by the pods',
                    ),
                })
                .optional()
                .describe('The source of a ReadWriteMany volume'),
            })
            .describe('Volumes of the pods'),
        federation: z =>
          z
            .enum(['none', 'kubefed', 'karmada'])
            .optional()
            .describe(
              'none: apply each cluster directly; kubefed: a FederatedStatefulSet; karmada: PropagationPolicy and OverridePolicies — applied to the configured federation host',
            ),
        routing: z =>
          z
            .enum(['istio', 'mcs', 'none'])
            .optional()
            .describe(
              'istio: ServiceEntry, weighted VirtualService and locality-failover DestinationRule, and Services each cluster alone has, for a multi-cluster mesh with DNS proxying; mcs: ServiceExports in one ClusterSet; none (default): only for one cluster or the generic engine',
            ),
        globalHost: z =>
          z
            .string()
            .optional()
            .describe(
              'Host clients use across clusters with istio routing; defaults to <name>.<namespace>.global',
            ),
        resources: z =>
          z
            .object({
              requests: z
                .object({
                  cpu: z.string().optional().describe('e.g. "500m"'),
                  memory: z.string().optional().describe('e.g. "1Gi"'),
                })
                .optional()
                .describe('Requested resources'),
              limits: z
                .object({
                  cpu: z.string().optional().describe('e.g. "2"'),
                  memory: z.string().optional().describe('e.g. "4Gi"'),
                })
                .optional()
                .describe('Resource limits'),
            })
            .optional()
            .describe('Compute resources of the database container'),
        owner: z =>
          z
            .string()
            .describe('Owner of the catalog entity, e.g. "group:default/dba"'),
        system: z =>
          z
            .string()
            .optional()
            .describe('System the catalog entity belongs to, e.g. "orders"'),
        lifecycle: z =>
          z
            .string()
            .optional()
            .describe(
              'Lifecycle of the catalog entity; "production" by default',
            ),
        description: z =>
          z.string().optional().describe('Description of the catalog entity'),
        allowedRegions: z =>
          z
            .array(z.string())
            .optional()
            .describe(
              'Data residency: region patterns every cluster must match, e.g. ["eu-*"]',
            ),
        maxFailoverLagSeconds: z =>
          z
            .number()
            .min(0)
            .optional()
            .describe(
              'Replication lag a switchover tolerates, in seconds (default 5)',
            ),
        postgresql: z =>
          z
            .object({
              serverCASecret: z
                .string()
                .optional()
                .describe(
                  'Secret with ca.crt and ca.key of a CA shared by every cluster, present under this name in the namespace of each; the operators issue the server certificates from it. Required with more than one cluster, e.g. "postgres-ca"',
                ),
              clientCASecret: z
                .string()
                .optional()
                .describe(
                  'Secret with ca.crt and ca.key of the shared CA that issues the streaming_replica client certificates; serverCASecret when empty',
                ),
            })
            .optional()
            .describe(
              'PostgreSQL only: the shared CA CloudNativePG replica clusters need to trust each other',
            ),
        elasticsearch: z =>
          z
            .object({
              licence: z
                .enum(['enterprise', 'platinum', 'trial'])
                .optional()
                .describe(
                  'The licence with cross-cluster replication the platform installs in every cluster (enterprise, platinum), or trial for a 30-day trial the nodes start themselves. Required with more than one cluster',
                ),
              transportTlsSecret: z
                .string()
                .optional()
                .describe(
                  'Secret with tls.crt, tls.key and ca.crt for the transport port, present under this name in the namespace of every cluster and issued by one CA all clusters share, e.g. "search-transport-tls"',
                ),
              nodesAllowMmap: z
                .boolean()
                .optional()
                .describe(
                  'True when the platform sets vm.max_map_count >= 262144 on the nodes, so Elasticsearch may use mmap; otherwise mmap is off',
                ),
            })
            .optional()
            .describe(
              'Elasticsearch only: the licence and transport certificates cross-cluster replication needs',
            ),
        targetPath: z =>
          z
            .string()
            .optional()
            .describe(
              'Directory in the workspace to write into; the workspace root by default',
            ),
      },
      output: {
        files: z =>
          z
            .array(z.string())
            .describe('Every written file, relative to the workspace'),
        clusters: z =>
          z
            .array(
              z.object({
                name: z.string().describe('Cluster name'),
                region: z.string().optional().describe('Cluster region'),
                role: z
                  .enum(['active', 'passive'])
                  .optional()
                  .describe('Database role; absent on a pure federation host'),
                federationHost: z
                  .boolean()
                  .optional()
                  .describe('True where the federation objects are applied'),
                manifests: z
                  .array(z.string())
                  .describe(
                    'Files to apply to this cluster, relative to the workspace, in order',
                  ),
              }),
            )
            .describe('The apply plan: what goes to which cluster'),
        entityRef: z =>
          z.string().describe('Ref of the generated catalog entity'),
        catalogInfoPath: z =>
          z
            .string()
            .describe('Path of catalog-info.yaml, relative to the workspace'),
        warnings: z =>
          z
            .array(z.string())
            .describe('Allowed choices that deserve a second look'),
      },
    },
    async handler(ctx) {
      const { input } = ctx;
      const targetPath = input.targetPath ?? '.';
      const targetDir = resolveSafeChildPath(ctx.workspacePath, targetPath);

      // The cluster list is remembered, so a retried task generates the
      // same thing even if the configuration changed in between.
      const clusters: ClusterInfo[] = await ctx.checkpoint({
        key: `multicluster-statefulset-clusters-${input.namespace}-${input.name}`,
        fn: async () => {
          const list = await clusterDirectory.listClusters({
            credentials: await ctx.getInitiatorCredentials(),
          });
          // Stored as JSON, so hand back exactly what a retry will read.
          return JSON.parse(JSON.stringify(list));
        },
      });

      const result = generateManifests(input, clusters);
      validateManifests(result.objects);

      const rel = (p: string) => path.posix.join(targetPath, p);
      // A dry run writes too: its workspace is a throwaway directory whose
      // contents the template editor shows as the preview.
      for (const file of result.files) {
        const target = resolveSafeChildPath(targetDir, file.path);
        await fs.mkdir(path.dirname(target), { recursive: true });
        await fs.writeFile(target, file.content, 'utf8');
      }
      ctx.logger.info(
        `${ctx.isDryRun ? 'Dry run: generated' : 'Generated'} ${
          result.files.length
        } files for ${input.name} in ${result.targets.length} clusters`,
      );
      for (const warning of result.warnings) {
        ctx.logger.warn(warning);
      }

      ctx.output(
        'files',
        result.files.map(f => rel(f.path)),
      );
      ctx.output(
        'clusters',
        result.targets.map(t => ({ ...t, manifests: t.manifests.map(rel) })),
      );
      ctx.output('entityRef', result.entityRef);
      ctx.output('catalogInfoPath', rel('catalog-info.yaml'));
      ctx.output('warnings', result.warnings);
    },
  });
}
