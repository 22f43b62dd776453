/*
 * The parts every engine's replication wiring is built from: the shape of
 * what an engine adds to the container, the replication ConfigMap, and the
 * environment entries that read from it or from the credentials Secret.
 */
import { headlessServiceName } from '../naming';
import { KubeObject } from '../types';
import { NormalizedRequest } from '../validateRequest';

/**
 * What an engine adds to a cluster's StatefulSet container. Per-cluster
 * values are read from the cluster's ConfigMap, never written into the pod
 * template, so the template is the same everywhere and a federated
 * StatefulSet needs overrides only for what truly differs (size, ordinals,
 * role).
 */
export interface ContainerWiring {
  command?: string[];
  args?: string[];
  env: Array<Record<string, unknown>>;
  /**
   * Volumes projected from the replication ConfigMap (all keys when `items`
   * is absent), or from the platform's Secret named by `secret`.
   */
  volumes: Array<{
    name: string;
    items?: string[];
    secret?: string;
    /** File mode of a Secret's files, e.g. 0o400 for a key only its owner reads. */
    defaultMode?: number;
  }>;
  volumeMounts: Array<{
    name: string;
    mountPath: string;
    subPath?: string;
    readOnly?: boolean;
  }>;
  /** The pod's securityContext, e.g. the fsGroup that lets the image's user write its volume. */
  podSecurityContext?: Record<string, unknown>;
  /** Containers that run beside the database's in every pod (e.g. MongoDB's replica-set upkeep). */
  sidecars?: Array<Record<string, unknown>>;
}

/** The replication ConfigMap of a cluster (when the engine needs one) and its container wiring. */
export interface ReplicationWiring {
  object?: KubeObject;
  wiring: ContainerWiring;
  /** Workloads that run beside the database in this cluster, by file name (e.g. `mirrormaker.yaml`). */
  companions?: Array<{ file: string; object: KubeObject }>;
  /** Pods the PodDisruptionBudget lets go at once; 1 when absent. */
  maxUnavailable?: number;
}

// The ordinal of a pod, from the label the StatefulSet controller sets
// (Kubernetes 1.28+); with spec.ordinals.start it is the real ordinal.
export const POD_INDEX_ENV = {
  name: 'POD_INDEX',
  valueFrom: {
    fieldRef: { fieldPath: "metadata.labels['apps.kubernetes.io/pod-index']" },
  },
};
export const POD_NAME_ENV = {
  name: 'POD_NAME',
  valueFrom: { fieldRef: { fieldPath: 'metadata.name' } },
};

/** Name of the ConfigMap holding the replication settings. */
export function replicationConfigMapName(r: NormalizedRequest): string {
  return `${r.name}-replication`;
}

/** Name of the Secret the generated workloads expect (created outside git). */
export function credentialsSecretName(r: NormalizedRequest): string {
  return `${r.name}-credentials`;
}

/** An environment variable read from the replication ConfigMap. */
export function fromConfig(r: NormalizedRequest, name: string, key: string) {
  return {
    name,
    valueFrom: {
      configMapKeyRef: { name: replicationConfigMapName(r), key },
    },
  };
}

/** An environment variable read from the credentials Secret. */
export function fromSecret(r: NormalizedRequest, name: string, key: string) {
  return {
    name,
    valueFrom: { secretKeyRef: { name: credentialsSecretName(r), key } },
  };
}

/** A pod's name inside its own cluster, for peers that never leave it. */
export function localPodAddress(r: NormalizedRequest, pod: string): string {
  return `${pod}.${headlessServiceName(r)}.${r.namespace}.svc.cluster.local`;
}

/** The replication ConfigMap of one cluster, holding `data`. */
export function configMap(
  r: NormalizedRequest,
  labels: Record<string, string>,
  data: Record<string, string>,
): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: replicationConfigMapName(r),
      namespace: r.namespace,
      labels,
    },
    data,
  };
}
