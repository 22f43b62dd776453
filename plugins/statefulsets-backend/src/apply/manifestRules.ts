/*
 * What `POST /apply` accepts, checked before any cluster is contacted. The
 * route writes with the plugin's own cluster credentials, so it must not be
 * a general-purpose `kubectl apply`: only the kinds the template's generator
 * emits, only in the entity's own namespace, and none of the pod settings
 * that reach the node (the generator never emits them). Anything else is a
 * refusal that names the object and says what is accepted.
 */
import { InputError } from '@backstage/errors';
import { kindRefusals } from './kindRefusals';
import { nodeDangers } from './nodeDangers';
import { ApplyRequest, ManifestObject } from './types';

/** An accepted group version and kind, and whether its objects live in a namespace. */
interface AcceptedKind {
  apiVersion: string;
  kind: string;
  namespaced: boolean;
}

/**
 * Exactly what the generator (plugins/scaffolder-backend-module-statefulsets,
 * src/generate) writes; the golden cases are checked against this list.
 */
export const ACCEPTED_KINDS: readonly AcceptedKind[] = [
  { apiVersion: 'apps/v1', kind: 'StatefulSet', namespaced: true },
  { apiVersion: 'v1', kind: 'Service', namespaced: true },
  { apiVersion: 'v1', kind: 'ConfigMap', namespaced: true },
  { apiVersion: 'v1', kind: 'PersistentVolumeClaim', namespaced: true },
  // The static CephFS volume of a shared-storage database.
  { apiVersion: 'v1', kind: 'PersistentVolume', namespaced: false },
  // Only the entity's own namespace (see the namespace rule).
  { apiVersion: 'v1', kind: 'Namespace', namespaced: false },
  { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', namespaced: true },
  // Kafka's MirrorMaker 2, beside the brokers of a cluster that receives data.
  { apiVersion: 'apps/v1', kind: 'Deployment', namespaced: true },
  // Elasticsearch's cross-cluster replication set-up, run in a follower cluster.
  { apiVersion: 'batch/v1', kind: 'Job', namespaced: true },
  {
    apiVersion: 'multicluster.x-k8s.io/v1alpha1',
    kind: 'ServiceExport',
    namespaced: true,
  },
  {
    apiVersion: 'networking.istio.io/v1',
    kind: 'VirtualService',
    namespaced: true,
  },
  {
    apiVersion: 'networking.istio.io/v1',
    kind: 'DestinationRule',
    namespaced: true,
  },
  {
    apiVersion: 'networking.istio.io/v1',
    kind: 'ServiceEntry',
    namespaced: true,
  },
  {
    apiVersion: 'types.kubefed.io/v1beta1',
    kind: 'FederatedStatefulSet',
    namespaced: true,
  },
  // KubeFed propagates nothing into a namespace that is not federated.
  {
    apiVersion: 'types.kubefed.io/v1beta1',
    kind: 'FederatedNamespace',
    namespaced: true,
  },
  {
    apiVersion: 'policy.karmada.io/v1alpha1',
    kind: 'PropagationPolicy',
    namespaced: true,
  },
  {
    apiVersion: 'policy.karmada.io/v1alpha1',
    kind: 'OverridePolicy',
    namespaced: true,
  },
  { apiVersion: 'postgresql.cnpg.io/v1', kind: 'Cluster', namespaced: true },
];

/** The kinds that run the database; their `backstage.io/kubernetes-id` label must be the entity's. */
const WORKLOAD_KINDS = [
  'StatefulSet',
  'FederatedStatefulSet',
  'Cluster',
  'Deployment',
  'Job',
];

/**
 * Namespaces no entity may own: the cluster's own (`kube-*`), `default`
 * (shared by everything that did not choose a namespace) and the control
 * planes the generated objects talk to.
 */
export const DEFAULT_PROTECTED_NAMESPACES: readonly string[] = [
  'default',
  'karmada-system',
  'karmada-cluster',
  'kube-federation-system',
  'istio-system',
  'cnpg-system',
];

const ANNOTATION_K8S_NAMESPACE = 'backstage.io/kubernetes-namespace';
const ANNOTATION_K8S_ID = 'backstage.io/kubernetes-id';

/** One refused object and why. */
export interface ManifestViolation {
  cluster: string;
  kind: string;
  namespace?: string;
  name: string;
  reason: string;
}

/** The outcome of the checks: the entity's namespace, and every refusal. */
export interface ManifestCheck {
  namespace?: string;
  violations: ManifestViolation[];
}

/** The accepted entry for an object's apiVersion and kind, if any. */
export function acceptedKindOf(m: {
  apiVersion: string;
  kind: string;
}): AcceptedKind | undefined {
  return ACCEPTED_KINDS.find(
    k => k.apiVersion === m.apiVersion && k.kind === m.kind,
  );
}

function describeAccepted(): string {
  return ACCEPTED_KINDS.map(k => `${k.kind} (${k.apiVersion})`).join(', ');
}

/** Whether a namespace is one no entity may write to. */
export function isProtectedNamespace(
  namespace: string,
  extra: readonly string[] = [],
): boolean {
  return (
    namespace.startsWith('kube-') ||
    DEFAULT_PROTECTED_NAMESPACES.includes(namespace) ||
    extra.includes(namespace)
  );
}

/**
 * Checks every manifest of a request and finds the entity's namespace: the
 * catalogInfo's `backstage.io/kubernetes-namespace` when present, else the
 * one namespace the manifests use.
 */
export function checkManifests(
  request: Pick<ApplyRequest, 'clusters' | 'catalogInfo'>,
  options: { protectedNamespaces?: readonly string[] } = {},
): ManifestCheck {
  const violations: ManifestViolation[] = [];
  const refuse = (cluster: string, m: ManifestObject, reason: string): void => {
    violations.push({
      cluster,
      kind: m.kind,
      ...(m.metadata.namespace ? { namespace: m.metadata.namespace } : {}),
      name: m.metadata.name,
      reason,
    });
  };
  const all = request.clusters.flatMap(c =>
    c.manifests.map(m => ({ cluster: c.name, m })),
  );
  const annotations = request.catalogInfo?.metadata.annotations ?? {};
  // Every namespace named, whatever the kind: a refused kind in kube-system
  // is reported for both.
  const used = new Set(
    all
      .map(({ m }) => m.metadata.namespace)
      .filter((ns): ns is string => typeof ns === 'string' && ns !== ''),
  );
  const namespace =
    annotations[ANNOTATION_K8S_NAMESPACE] ??
    (used.size === 1 ? [...used][0] : undefined);
  const services = new Set(
    all.filter(({ m }) => m.kind === 'Service').map(({ m }) => m.metadata.name),
  );
  const kubernetesId = annotations[ANNOTATION_K8S_ID];
  const protectedNamespaces = options.protectedNamespaces ?? [];

  for (const { cluster, m } of all) {
    const accepted = acceptedKindOf(m);
    if (!accepted) {
      refuse(
        cluster,
        m,
        `${m.kind} (${
          m.apiVersion
        }) is not a kind the template generates; accepted: ${describeAccepted()}`,
      );
      continue;
    }
    if (accepted.namespaced) {
      if (!m.metadata.namespace) {
        refuse(
          cluster,
          m,
          `metadata.namespace is required; set it to the entity's namespace${
            namespace ? ` ${namespace}` : ''
          }`,
        );
        continue;
      }
      if (namespace && m.metadata.namespace !== namespace) {
        refuse(
          cluster,
          m,
          `every object must be in the entity's namespace ${namespace}, not ${m.metadata.namespace}`,
        );
        continue;
      }
    } else if (m.metadata.namespace !== undefined) {
      refuse(
        cluster,
        m,
        `a ${m.kind} is cluster-scoped: remove metadata.namespace`,
      );
      continue;
    }
    if (m.kind === 'Namespace' && m.metadata.name !== namespace) {
      refuse(
        cluster,
        m,
        `the only Namespace an apply may create is the entity's own${
          namespace ? `, ${namespace}` : ''
        }`,
      );
      continue;
    }
    const dangers = nodeDangers(m.spec, 'spec');
    if (dangers.length > 0) {
      refuse(
        cluster,
        m,
        `settings that reach the node are not accepted (the template never generates them): ${dangers.join(
          '; ',
        )}`,
      );
      continue;
    }
    for (const reason of kindRefusals(m, namespace, services)) {
      refuse(cluster, m, reason);
    }
    if (kubernetesId !== undefined && WORKLOAD_KINDS.includes(m.kind)) {
      const label = (m.metadata.labels as Record<string, string> | undefined)?.[
        ANNOTATION_K8S_ID
      ];
      if (label !== kubernetesId) {
        refuse(
          cluster,
          m,
          `the workload's ${ANNOTATION_K8S_ID} label is ${
            label ?? 'missing'
          }, but catalogInfo's ${ANNOTATION_K8S_ID} annotation is ${kubernetesId}; they must match`,
        );
      }
    }
  }

  if (used.size > 1 && !annotations[ANNOTATION_K8S_NAMESPACE]) {
    violations.push({
      cluster: '*',
      kind: 'Namespace',
      name: [...used].sort().join(', '),
      reason: `the manifests use several namespaces (${[...used]
        .sort()
        .join(
          ', ',
        )}); every object of an entity must be in one namespace, the entity's`,
    });
  }
  if (namespace && isProtectedNamespace(namespace, protectedNamespaces)) {
    violations.push({
      cluster: '*',
      kind: 'Namespace',
      name: namespace,
      reason: `${namespace} is a system namespace (kube-*, ${[
        ...DEFAULT_PROTECTED_NAMESPACES,
        ...protectedNamespaces,
      ].join(', ')}); choose a namespace of the database's own`,
    });
  }
  return { namespace, violations };
}

/** One line per refusal, the way the 400 and the logs say it. */
export function describeViolation(v: ManifestViolation): string {
  const where = v.namespace ? `${v.namespace}/` : '';
  const cluster = v.cluster === '*' ? '' : ` in ${v.cluster}`;
  return `${v.kind} ${where}${v.name}${cluster}: ${v.reason}`;
}

/** A 400 for refused manifests that keeps the refusals for the audit record. */
export class ManifestsRefusedError extends InputError {
  readonly violations: ManifestViolation[];

  constructor(violations: ManifestViolation[]) {
    const shown = violations.slice(0, 5).map(describeViolation);
    const more =
      violations.length > shown.length
        ? `; and ${violations.length - shown.length} more`
        : '';
    super(`manifests refused: ${shown.join('; ')}${more}`);
    this.violations = violations;
  }
}
