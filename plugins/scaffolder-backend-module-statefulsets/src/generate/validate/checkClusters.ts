/*
 * The rules of the chosen clusters: each known, listed once, sized, inside
 * the allowed regions, the weights adding up to 100 and the strategy's
 * number of active clusters.
 */
import { regionAllowed } from '@multicluster/backstage-plugin-statefulsets-common';
import { ClusterInfo, GenerateRequest } from '../types';
import { ResolvedPlacement } from '../validateRequest';
import { checkDnsLabel } from './checkDnsLabel';
import { fail } from './fail';
import { resolveOrdinals } from './resolveOrdinals';

/** Checks the chosen clusters and resolves their ordinals and locations. */
export function checkClusters(
  request: GenerateRequest,
  known: ClusterInfo[],
  allowedRegions: string[],
): ResolvedPlacement[] {
  const clusters = request.clusters ?? [];
  if (clusters.length === 0) {
    fail('clusters', 'no cluster was chosen', 'pick at least one cluster');
  }
  const byName = new Map(known.map(c => [c.name, c]));
  const seen = new Set<string>();
  clusters.forEach((c, i) => {
    const info = byName.get(c.name);
    if (!info) {
      fail(
        `clusters[${i}].name`,
        `unknown cluster "${c.name}"`,
        `choose one of the configured clusters: ${
          known.map(k => k.name).join(', ') || '(none configured)'
        }`,
      );
    }
    if (seen.has(c.name)) {
      fail(
        `clusters[${i}].name`,
        `cluster "${c.name}" is listed twice`,
        'list each cluster once and set its replicas instead',
      );
    }
    seen.add(c.name);
    checkDnsLabel(`clusters[${i}].name`, c.name, 63);
    if (!Number.isInteger(c.replicas) || c.replicas < 1) {
      fail(
        `clusters[${i}].replicas`,
        `${c.replicas} is not a positive whole number`,
        'run at least 1 replica in every chosen cluster',
      );
    }
    if (!Number.isInteger(c.weight) || c.weight < 0 || c.weight > 100) {
      fail(
        `clusters[${i}].weight`,
        `${c.weight} is not a whole number between 0 and 100`,
        'give each cluster its traffic share in percent',
      );
    }
    if (
      c.ordinalsStart !== undefined &&
      (!Number.isInteger(c.ordinalsStart) || c.ordinalsStart < 0)
    ) {
      fail(
        `clusters[${i}].ordinalsStart`,
        `${c.ordinalsStart} is not a non-negative whole number`,
        'use 0 or more, or leave it empty',
      );
    }
    if (allowedRegions.length > 0) {
      if (!info.region) {
        fail(
          `clusters[${i}].name`,
          `cluster "${
            c.name
          }" has no known region, so data residency (allowedRegions ${allowedRegions.join(
            ',',
          )}) cannot be proven`,
          'give the cluster a region in the kubernetes configuration or pick another cluster',
        );
      }
      if (!regionAllowed(info.region, allowedRegions)) {
        fail(
          `clusters[${i}].name`,
          `cluster "${c.name}" is in region ${
            info.region
          }, outside allowedRegions (${allowedRegions.join(',')})`,
          'pick a cluster in an allowed region or widen allowedRegions',
        );
      }
    }
  });
  const total = clusters.reduce((sum, c) => sum + c.weight, 0);
  if (total !== 100) {
    fail(
      'clusters[].weight',
      `the weights add up to ${total}`,
      'make them add up to 100 (e.g. 100 on the active cluster and 0 on passives)',
    );
  }
  const actives = clusters
    .map((c, i) => ({ c, i }))
    .filter(({ c }) => c.role === 'active');
  if (request.strategy === 'active-passive' && actives.length > 1) {
    fail(
      `clusters[${actives[1].i}].role`,
      `active-passive allows one active cluster, but ${actives
        .map(a => a.c.name)
        .join(' and ')} are active`,
      'make all but one cluster passive, or choose strategy active-active',
    );
  }
  if (actives.length === 0) {
    fail(
      'clusters[].role',
      'no cluster is active',
      'make one cluster active (the one taking writes)',
    );
  }
  const shared =
    request.storage?.accessMode === 'ReadWriteMany' &&
    request.storage.sharedVolume?.cephfs !== undefined;
  return resolveOrdinals(clusters, shared).map(c => ({
    ...c,
    region: byName.get(c.name)?.region,
    zones: byName.get(c.name)?.zones ?? [],
  }));
}
