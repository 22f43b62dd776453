/*
 * Where federation objects may go. Karmada's policies belong to the Karmada
 * API server (the cluster entry marked `federationHost: karmada`): in a
 * member they propagate nothing, and the template next to them would run
 * there unmanaged. Checked before anything is written in any cluster.
 */
import { InputError } from '@backstage/errors';
import { ConfiguredCluster } from '../cluster/readClusterConfig';
import { ClusterManifests } from './types';

const KARMADA_GROUP = 'policy.karmada.io/';

/** The Karmada objects of a target, as "Kind name" for messages. */
function karmadaObjects(target: ClusterManifests): string[] {
  return target.manifests
    .filter(m => m.apiVersion.startsWith(KARMADA_GROUP))
    .map(m => `${m.kind} ${m.metadata.name}`);
}

/**
 * Throws an InputError when Karmada objects are sent to a cluster that is
 * not the configured Karmada API server; unknown clusters are left to the
 * per-cluster result.
 */
export function checkKarmadaTargets(
  targets: ClusterManifests[],
  clusters: ReadonlyMap<string, ConfiguredCluster>,
): void {
  const misplaced = targets.flatMap(t => {
    const cluster = clusters.get(t.name);
    const objects = karmadaObjects(t);
    return cluster &&
      objects.length > 0 &&
      cluster.info.federationHost !== 'karmada'
      ? [`${t.name} (${objects.join(', ')})`]
      : [];
  });
  if (misplaced.length === 0) return;
  const apiServer = [...clusters.values()].find(
    c => c.info.federationHost === 'karmada',
  )?.info.name;
  throw new InputError(
    `Karmada objects sent to a cluster that is not the Karmada API server: ${misplaced.join(
      '; ',
    )}; nothing was applied. ${
      apiServer
        ? `Send them to ${apiServer}, the cluster marked federationHost: karmada`
        : 'Configure the Karmada API server as a cluster with multiclusterStatefulsets.clusters.<name>.federationHost: karmada and send them there'
    }.`,
  );
}
