/*
 * Where an entity's objects are: the namespace and label selector from the
 * official Kubernetes plugin's entity annotations.
 */
import { Entity } from '@backstage/catalog-model';
import { InputError, NotFoundError } from '@backstage/errors';
import {
  ANNOTATION_LIST_MAX_LENGTH,
  ANNOTATION_VALUE_MAX_LENGTH,
  annotationTooLong,
  ANNOTATION_KUBERNETES_ID,
  ANNOTATION_KUBERNETES_LABEL_SELECTOR,
  ANNOTATION_KUBERNETES_NAMESPACE,
  ANNOTATION_TRAFFIC,
} from '@multicluster/backstage-plugin-statefulsets-common';
import {
  LabelSelectorError,
  parseLabelSelector,
} from '../cluster/labelSelector';
import { WatchScope } from '../cluster/scopePlan';

/**
 * The annotations a watch scope is built from, with the longest value read:
 * a selector is handed to every cluster's informers, so an entity must not
 * make the backend parse (or a cluster match) an arbitrarily long one.
 */
const BOUNDS: Array<[string, number]> = [
  [ANNOTATION_KUBERNETES_LABEL_SELECTOR, ANNOTATION_LIST_MAX_LENGTH],
  [ANNOTATION_KUBERNETES_ID, ANNOTATION_VALUE_MAX_LENGTH],
  [ANNOTATION_KUBERNETES_NAMESPACE, ANNOTATION_VALUE_MAX_LENGTH],
  [ANNOTATION_TRAFFIC, ANNOTATION_VALUE_MAX_LENGTH],
];

/**
 * The watch scope of an entity; throws NotFoundError naming the annotation to
 * add, or InputError naming the one to shorten.
 */
export function entityScope(entity: Entity, entityRef: string): WatchScope {
  const annotations = entity.metadata.annotations ?? {};
  const tooLong = BOUNDS.map(([key, max]) =>
    annotationTooLong(key, annotations[key], max),
  ).filter(Boolean);
  if (tooLong.length) {
    throw new InputError(`Entity ${entityRef}: ${tooLong.join('; ')}`);
  }
  const selector = annotations[ANNOTATION_KUBERNETES_LABEL_SELECTOR]?.trim();
  const id = annotations[ANNOTATION_KUBERNETES_ID]?.trim();
  if (!selector && !id) {
    throw new NotFoundError(
      `Entity ${entityRef} has no Kubernetes objects: add the ${ANNOTATION_KUBERNETES_ID} annotation (or ${ANNOTATION_KUBERNETES_LABEL_SELECTOR})`,
    );
  }
  const labelSelector = selector || `${ANNOTATION_KUBERNETES_ID}=${id}`;
  try {
    parseLabelSelector(labelSelector);
  } catch (err) {
    if (!(err instanceof LabelSelectorError)) throw err;
    throw new InputError(
      `Entity ${entityRef}: ${err.message}; fix the ${
        selector
          ? ANNOTATION_KUBERNETES_LABEL_SELECTOR
          : ANNOTATION_KUBERNETES_ID
      } annotation`,
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
    labelSelector,
    routeNamespace: routeNamespace && routeName ? routeNamespace : undefined,
  };
}
