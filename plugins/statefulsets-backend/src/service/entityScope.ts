/*
 * Where an entity's objects are: the namespace and label selector from the
 * official Kubernetes plugin's entity annotations.
 */
import { Entity } from '@backstage/catalog-model';
import { NotFoundError } from '@backstage/errors';
import {
  ANNOTATION_KUBERNETES_ID,
  ANNOTATION_KUBERNETES_LABEL_SELECTOR,
  ANNOTATION_KUBERNETES_NAMESPACE,
  ANNOTATION_TRAFFIC,
} from '@multicluster/backstage-plugin-statefulsets-common';
import { WatchScope } from '../cluster/ClusterWatchCache';

/** The watch scope of an entity; throws NotFoundError naming the annotation to add. */
export function entityScope(entity: Entity, entityRef: string): WatchScope {
  const annotations = entity.metadata.annotations ?? {};
  const selector = annotations[ANNOTATION_KUBERNETES_LABEL_SELECTOR]?.trim();
  const id = annotations[ANNOTATION_KUBERNETES_ID]?.trim();
  if (!selector && !id) {
    throw new NotFoundError(
      `Entity ${entityRef} has no Kubernetes objects: add the ${ANNOTATION_KUBERNETES_ID} annotation (or ${ANNOTATION_KUBERNETES_LABEL_SELECTOR})`,
    );
  }
  // The VirtualService the traffic annotation names is read by name, with
  // its namespace's DestinationRules, whatever labels it carries.
  const [routeNamespace, routeName] = (
    annotations[ANNOTATION_TRAFFIC]?.trim() ?? ''
  ).split('/');
  return {
    namespace:
      annotations[ANNOTATION_KUBERNETES_NAMESPACE]?.trim() || undefined,
    labelSelector: selector || `${ANNOTATION_KUBERNETES_ID}=${id}`,
    routeNamespace: routeNamespace && routeName ? routeNamespace : undefined,
  };
}
