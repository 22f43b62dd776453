/*
 * The rules of the routing: cross-cluster replication needs names one
 * cluster can resolve for another's pods, which only MCS (clusterset.local)
 * and a multi-cluster Istio mesh (discovery and DNS proxying) provide; and
 * the MCS cluster ids that go into those names must be DNS labels, one per
 * cluster.
 */
import { GenerateRequest, Routing } from '../types';
import { ResolvedPlacement } from '../validateRequest';
import { checkDnsLabel } from './checkDnsLabel';
import { fail } from './fail';

const ROUTINGS: Routing[] = ['istio', 'mcs', 'none'];

// Without replication wiring nothing crosses clusters (the generic engine
// keeps its data on a shared volume or replicates on its own).
function replicatesAcrossClusters(
  request: GenerateRequest,
  clusters: ResolvedPlacement[],
): boolean {
  return request.engine !== 'generic' && clusters.length > 1;
}

function checkMcsClusterIds(clusters: ResolvedPlacement[]) {
  const seen = new Map<string, string>();
  clusters.forEach((c, i) => {
    const id = c.mcsClusterId ?? c.name;
    checkDnsLabel(`clusters[${i}].mcsClusterId`, id, 63);
    const other = seen.get(id);
    if (other) {
      fail(
        `clusters[${i}].mcsClusterId`,
        `cluster "${c.name}" has the MCS cluster id "${id}" of cluster "${other}"`,
        'give each cluster the id its cluster.clusterset.k8s.io ClusterProperty holds; ids are unique in a ClusterSet',
      );
    }
    seen.set(id, c.name);
  });
}

// Routing gives every cluster a Service named `<name>-<cluster>`.
function checkClusterServiceNames(
  request: GenerateRequest,
  clusters: ResolvedPlacement[],
) {
  clusters.forEach((c, i) => {
    const service = `${request.name}-${c.name}`;
    if (service.length > 63) {
      fail(
        `clusters[${i}].name`,
        `the per-cluster Service "${service}" would be longer than 63 characters`,
        'choose a shorter database name',
      );
    }
  });
}

/** Checks the routing against the clusters and engine; returns it with its default. */
export function checkRouting(
  request: GenerateRequest,
  clusters: ResolvedPlacement[],
): Routing {
  const routing = request.routing ?? 'none';
  if (!ROUTINGS.includes(routing)) {
    fail(
      'routing',
      `unknown routing "${routing}"`,
      `choose one of ${ROUTINGS.join(', ')}`,
    );
  }
  if (routing === 'none' && replicatesAcrossClusters(request, clusters)) {
    fail(
      'routing',
      `with routing none no cluster resolves the names of another cluster's pods, so ${
        request.engine
      } replication between ${clusters
        .map(c => c.name)
        .join(', ')} could never connect`,
      'choose mcs (the clusters form an MCS ClusterSet) or istio (a multi-cluster mesh with DNS proxying), or place the database in one cluster',
    );
  }
  if (routing !== 'none') {
    checkClusterServiceNames(request, clusters);
  }
  if (routing === 'mcs') {
    checkMcsClusterIds(clusters);
  }
  return routing;
}
