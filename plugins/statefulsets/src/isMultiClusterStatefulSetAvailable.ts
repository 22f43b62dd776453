/*
 * Which entities get the Multi-cluster tab and card: those that opted in with
 * any of this plugin's entity annotations.
 */
import { Entity } from '@backstage/catalog-model';
import { ANNOTATION_PREFIX } from '@multicluster/backstage-plugin-statefulsets-common';

/** True when the entity carries a `multicluster-statefulsets/*` annotation. */
export function isMultiClusterStatefulSetAvailable(entity: Entity): boolean {
  return Object.keys(entity.metadata.annotations ?? {}).some(key =>
    key.startsWith(`${ANNOTATION_PREFIX}/`),
  );
}
