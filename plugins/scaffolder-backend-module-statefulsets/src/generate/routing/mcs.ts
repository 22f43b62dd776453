/*
 * Multi-Cluster Services routing: the ServiceExports that make a cluster's
 * Services reachable from the others under clusterset.local, and the
 * per-cluster Service they export.
 */
import { commonLabels } from '../labels';
import { clusterServiceName, headlessServiceName } from '../naming';
import { NormalizedRequest } from '../validateRequest';
import { ClusterRoutingObject, perClusterServices } from './clusterServices';

/** The ServiceExports (and exported per-cluster Services) of every member cluster, each tagged with its cluster. */
export function mcsObjects(r: NormalizedRequest): ClusterRoutingObject[] {
  const exports = r.clusters.flatMap(c => {
    // Peers always reach each other: the per-cluster Service, and the pods
    // of the headless Service by `<pod>.<clusterid>.<svc>`. The client
    // Service is exported only where writes are taken, and a failover
    // moves that export.
    const exported = [
      ...(c.role === 'active' ? [r.name] : []),
      clusterServiceName(r, c),
      ...(r.engine === 'postgresql' ? [] : [headlessServiceName(r)]),
    ];
    return exported.map(name => ({
      file: `routing/${c.name}/serviceexport-${name}.yaml`,
      cluster: c.name,
      object: {
        apiVersion: 'multicluster.x-k8s.io/v1alpha1',
        kind: 'ServiceExport',
        metadata: { name, namespace: r.namespace, labels: commonLabels(r) },
      },
    }));
  });
  return [...perClusterServices(r), ...exports];
}
