/*
 * The demo world with only inventory-kubefed, its StatefulSets placed in
 * us-east and eu-west as KubeFed places them (the template, and in eu-west
 * its overrides: ordinals from 10, the passive role replicating from
 * us-east) but without the FederatedStatefulSet: KubeFed would put the
 * role annotations back after each run. For tests and benchmarks that
 * switch the PostgreSQL database over and back.
 */
import { loadWorld, World } from '@multicluster/cluster-simulator';
import path from 'node:path';

/** The database's name (and kubernetes-id). */
export const INVENTORY = 'inventory-kubefed';

/** The world, its replication rounds every 100 ms. */
export function inventoryWorld(): World {
  const world = loadWorld(
    path.resolve(__dirname, '../../../../../examples/world/world.yaml'),
  );
  world.replication = { ...world.replication, intervalMs: 100 };
  const fss = world.clusters
    .find(c => c.name === 'us-east')!
    .objects.find(
      o =>
        o.object.kind === 'FederatedStatefulSet' &&
        o.object.metadata.name === INVENTORY,
    )!.object;
  const placed = (
    ordinal: number,
    annotations: Record<string, string>,
  ): any => ({
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: {
      ...structuredClone(fss.spec.template.metadata),
      name: INVENTORY,
      namespace: 'databases',
      annotations: {
        ...fss.spec.template.metadata.annotations,
        ...annotations,
      },
    },
    spec: {
      ...structuredClone(fss.spec.template.spec),
      ordinals: { start: ordinal },
    },
  });
  const placement: Record<string, any> = {
    'us-east': placed(20, {}),
    'eu-west': placed(10, {
      'multicluster-statefulsets/role': 'passive',
      'multicluster-statefulsets/replication-source': 'us-east',
    }),
  };
  for (const cluster of world.clusters) {
    cluster.operators = [];
    cluster.objects = cluster.objects.filter(
      o =>
        o.object.metadata.labels?.['backstage.io/kubernetes-id'] ===
          INVENTORY && !o.object.apiVersion.startsWith('types.kubefed.io'),
    );
    if (placement[cluster.name]) {
      cluster.objects.push({ object: placement[cluster.name], source: 'test' });
    }
  }
  return world;
}
