/*
 * The Services routing adds to each member cluster so the others can reach
 * it by a name that means that cluster alone: the per-cluster Service
 * `<name>-<cluster>` (PostgreSQL already has one for its primary) and, with
 * Istio, one Service per pod. Each exists only in its own cluster, so MCS
 * can export it and Istio's multi-cluster discovery sends its traffic there.
 */
import { podNames, podServiceName, clusterServiceName } from '../naming';
import { selectorLabels } from '../labels';
import { service } from '../services';
import { KubeObject } from '../types';
import { NormalizedRequest, ResolvedPlacement } from '../validateRequest';

/** An object applied to one member cluster only. */
export interface ClusterRoutingObject {
  file: string;
  object: KubeObject;
  cluster: string;
}

// The label the StatefulSet controller puts on each pod it creates.
const POD_NAME_LABEL = 'statefulset.kubernetes.io/pod-name';

function routed(
  c: ResolvedPlacement,
  object: KubeObject,
): ClusterRoutingObject {
  return {
    file: `routing/${c.name}/service-${object.metadata.name}.yaml`,
    object,
    cluster: c.name,
  };
}

/** The per-cluster Service of every cluster, for engines whose workload has none (all but PostgreSQL). */
export function perClusterServices(
  r: NormalizedRequest,
): ClusterRoutingObject[] {
  if (r.engine === 'postgresql') return [];
  return r.clusters.map(c =>
    routed(c, service(r, clusterServiceName(r, c), false, selectorLabels(r))),
  );
}

/** A Service per pod of every cluster, so peers reach each pod through the mesh. */
export function podServices(r: NormalizedRequest): ClusterRoutingObject[] {
  if (r.engine === 'postgresql') return [];
  return r.clusters.flatMap(c =>
    podNames(r, c).map(pod => {
      // Every port, to not-ready pods too, as the headless Service has
      // (peers meet before they are ready), but with a cluster IP: Istio
      // routes a Service's address to its endpoints, never a pod's name.
      const object = service(r, podServiceName(pod), true, {
        ...selectorLabels(r),
        [POD_NAME_LABEL]: pod,
      });
      delete (object.spec as Record<string, unknown>).clusterIP;
      return routed(c, object);
    }),
  );
}
