/*
 * Multi-Cluster Services routing: the ServiceExports that make a cluster's
 * Services reachable from the others under clusterset.local.
 */
import { commonLabels } from '../labels';
import { clusterServiceName, headlessServiceName } from '../naming';
import { KubeObject } from '../types';
import { NormalizedRequest } from '../validateRequest';

/** The ServiceExports of every member cluster, each tagged with its cluster. */
export function mcsObjects(
  r: NormalizedRequest,
): Array<{ file: string; object: KubeObject; cluster: string }> {
  return r.clusters.flatMap(c => {
    // Peers always reach each other; the client Service is exported only
    // where writes are taken, and a failover moves that export.
    const exported = [
      ...(c.role === 'active' ? [r.name] : []),
      r.engine === 'postgresql'
        ? clusterServiceName(r, c)
        : headlessServiceName(r),
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
}
