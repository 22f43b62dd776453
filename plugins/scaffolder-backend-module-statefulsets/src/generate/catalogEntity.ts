/*
 * The catalog entity of the database: a Component whose annotations let
 * the Backstage plugins find its workloads and know its failover rules.
 */
import {
  ANNOTATION_ALLOWED_REGIONS,
  ANNOTATION_ENGINE,
  ANNOTATION_KUBERNETES_ID,
  ANNOTATION_KUBERNETES_NAMESPACE,
  ANNOTATION_MAX_FAILOVER_LAG,
  ANNOTATION_STRATEGY,
  ANNOTATION_TRAFFIC,
} from '@multicluster/backstage-plugin-statefulsets-common';
import { NormalizedRequest } from './validateRequest';

/** The `catalog-info.yaml` entity of the database. */
export function catalogEntity(r: NormalizedRequest) {
  const annotations: Record<string, string> = {
    [ANNOTATION_KUBERNETES_ID]: r.name,
    [ANNOTATION_KUBERNETES_NAMESPACE]: r.namespace,
    [ANNOTATION_ENGINE]: r.engine,
    [ANNOTATION_STRATEGY]: r.strategy,
    [ANNOTATION_MAX_FAILOVER_LAG]: String(r.maxFailoverLagSeconds),
  };
  if (r.routing === 'istio') {
    annotations[ANNOTATION_TRAFFIC] = `${r.namespace}/${r.name}`;
  }
  if (r.allowedRegions.length > 0) {
    annotations[ANNOTATION_ALLOWED_REGIONS] = r.allowedRegions.join(',');
  }
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name: r.name,
      ...(r.description ? { description: r.description } : {}),
      annotations,
      tags: [r.engine, 'multi-cluster', r.strategy],
    },
    spec: {
      type: 'database',
      lifecycle: r.lifecycle,
      owner: r.owner,
      ...(r.system ? { system: r.system } : {}),
    },
  };
}
