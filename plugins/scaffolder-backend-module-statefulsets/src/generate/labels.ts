/*
 * The labels and annotations that tie every generated object to its
 * database and its cluster's role. The selectors must never change once
 * applied (a StatefulSet's selector is immutable), so they are built here
 * and nowhere else.
 */
import {
  ANNOTATION_KUBERNETES_ID,
  ANNOTATION_REPLICATION_SOURCE,
  ANNOTATION_ROLE,
  LABEL_CNPG_CLUSTER,
  LABEL_POD_ROLE,
} from '@multicluster/backstage-plugin-statefulsets-common';
import { primaryCluster } from './naming';
import { NormalizedRequest, ResolvedPlacement } from './validateRequest';

/** The labels every generated Kubernetes object carries. */
export function commonLabels(r: NormalizedRequest): Record<string, string> {
  return {
    'app.kubernetes.io/name': r.name,
    'app.kubernetes.io/component': 'database',
    'app.kubernetes.io/managed-by': 'backstage',
    [ANNOTATION_KUBERNETES_ID]: r.name,
  };
}

/** The labels that select the database pods; for PostgreSQL, the one CloudNativePG puts on its pods. */
export function selectorLabels(r: NormalizedRequest): Record<string, string> {
  return r.engine === 'postgresql'
    ? { [LABEL_CNPG_CLUSTER]: r.name }
    : {
        'app.kubernetes.io/name': r.name,
        'app.kubernetes.io/instance': r.name,
      };
}

/** The role annotations of a cluster's workload; passives also name their source. */
export function workloadAnnotations(
  r: NormalizedRequest,
  c: ResolvedPlacement,
): Record<string, string> {
  const annotations: Record<string, string> = { [ANNOTATION_ROLE]: c.role };
  if (c.role === 'passive') {
    annotations[ANNOTATION_REPLICATION_SOURCE] = primaryCluster(r).name;
  }
  return annotations;
}

/** The labels of a StatefulSet's pod template. */
export function podLabels(
  r: NormalizedRequest,
  c: ResolvedPlacement,
): Record<string, string> {
  const labels: Record<string, string> = {
    ...selectorLabels(r),
    [ANNOTATION_KUBERNETES_ID]: r.name,
  };
  // Which pod of an active side is primary is up to the engine; every pod
  // of a passive side is a replica, so that much is known up front.
  if (c.role === 'passive' && r.engine !== 'postgresql') {
    labels[LABEL_POD_ROLE] = 'replica';
  }
  return labels;
}
