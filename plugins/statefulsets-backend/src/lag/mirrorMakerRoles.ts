/*
 * Kafka roles from MirrorMaker 2's running flows: a Kafka cluster a flow
 * mirrors into is passive (its brokers are replicas of the flow's source),
 * one a flow mirrors from and nothing mirrors into is active. Read from the
 * MirrorSourceConnector series (`..._record_count`, scraped from the
 * MirrorMaker 2 pods, labelled `source` and `target` with the aliases, the
 * cluster names) of the entity (`kubernetes_id`), fresh samples only: a
 * stopped MirrorMaker 2 reports nothing, and the declared roles stay.
 */
import { EngineRoleReading } from '@multicluster/backstage-plugin-statefulsets-common';
import { EntityContext } from '@multicluster/backstage-plugin-statefulsets-node';
import { escapePromQLString } from './lagQueries';
import { InstantSample } from './prometheusResponse';

/** The series MirrorMaker 2 publishes per mirrored partition of a running flow. */
export const MIRRORMAKER2_FLOW_SERIES =
  'kafka_connect_mirror_mirrorsourceconnector_record_count';

/** Whether a StatefulSet runs MirrorMaker 2 itself (no brokers). */
function runsMirrorMaker(sts: any): boolean {
  return (sts.spec?.template?.spec?.containers ?? []).some((c: any) =>
    [...(c?.command ?? []), ...(c?.args ?? [])].some((a: unknown) =>
      String(a).endsWith('connect-mirror-maker.sh'),
    ),
  );
}

/** The roles the flows give the entity's StatefulSets (pure). */
export function mirrorMakerRoles(
  context: EntityContext,
  samples: InstantSample[],
): EngineRoleReading[] {
  const id = context.annotations['backstage.io/kubernetes-id'];
  const mine = samples.filter(s => !id || s.labels.kubernetes_id === id);
  const targets = new Set(mine.map(s => s.labels.target));
  const sources = new Set(mine.map(s => s.labels.source));
  const readings: EngineRoleReading[] = [];
  for (const view of context.clusters) {
    const cluster = view.cluster.name;
    let role: 'primary' | 'replica' | undefined;
    if (targets.has(cluster)) role = 'replica';
    else if (sources.has(cluster)) role = 'primary';
    if (!role) continue;
    for (const sts of view.objects?.statefulSets ?? []) {
      if (runsMirrorMaker(sts)) continue;
      const start = Number(sts.spec?.ordinals?.start ?? 0);
      const replicas = Number(sts.spec?.replicas ?? 1);
      const pods: EngineRoleReading['pods'] = {};
      for (let i = 0; i < Math.max(replicas, 1); i++)
        pods[`${sts.metadata.name}-${start + i}`] = role;
      readings.push({
        cluster,
        namespace: sts.metadata.namespace ?? 'default',
        workload: sts.metadata.name,
        source: 'mirrormaker2',
        pods,
      });
    }
  }
  return readings;
}

/** Reads the flows' fresh series in the entity's namespaces. */
export async function readMirrorMakerRoles(
  prometheus: { readFreshSamples(query: string): Promise<InstantSample[]> },
  context: EntityContext,
): Promise<EngineRoleReading[]> {
  const namespaces = new Set<string>();
  for (const view of context.clusters)
    for (const sts of view.objects?.statefulSets ?? [])
      if (sts.metadata.namespace) namespaces.add(sts.metadata.namespace);
  const samples = (
    await Promise.all(
      [...namespaces].map(ns =>
        prometheus.readFreshSamples(
          `${MIRRORMAKER2_FLOW_SERIES}{namespace="${escapePromQLString(ns)}"}`,
        ),
      ),
    )
  ).flat();
  return samples.length ? mirrorMakerRoles(context, samples) : [];
}
