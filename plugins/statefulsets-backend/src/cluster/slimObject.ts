/*
 * Trims watched objects down to what the topology reads, so the cache holds
 * little per object and nothing sensitive: managed fields and last-applied
 * configuration go, environment values are replaced by a digest (drift still
 * sees a difference, nobody sees the value), except the few that say where
 * a chart's replica replicates from.
 */
import { createHash } from 'node:crypto';
import {
  ClusterObjects,
  KubeObject,
  REPLICATION_SOURCE_ENV,
} from '@multicluster/backstage-plugin-statefulsets-common';

const DROPPED_ANNOTATIONS = [
  'kubectl.kubernetes.io/last-applied-configuration',
];

function slimMetadata(metadata: any, keepAnnotations = true) {
  const annotations = keepAnnotations
    ? { ...(metadata?.annotations ?? {}) }
    : undefined;
  for (const key of DROPPED_ANNOTATIONS) delete annotations?.[key];
  return {
    name: metadata?.name,
    namespace: metadata?.namespace,
    uid: metadata?.uid,
    resourceVersion: metadata?.resourceVersion,
    generation: metadata?.generation,
    labels: metadata?.labels,
    annotations,
    ownerReferences: metadata?.ownerReferences?.map((o: any) => ({
      apiVersion: o?.apiVersion,
      kind: o?.kind,
      name: o?.name,
    })),
  };
}

function digest(value: unknown): string {
  return `sha256:${createHash('sha256')
    .update(JSON.stringify(value ?? null))
    .digest('hex')
    .slice(0, 12)}`;
}

/**
 * One environment variable as the cache keeps it: a reference as it is, the
 * few variables that say where a replica replicates from (a chart's
 * replication mode and source host) in clear, every other value digested.
 */
function slimEnvVar(e: any) {
  if (e?.valueFrom) return { name: e.name, valueFrom: e.valueFrom };
  if (REPLICATION_SOURCE_ENV.has(e?.name)) {
    return { name: e.name, value: e.value };
  }
  return { name: e?.name, value: digest(e?.value) };
}

function slimContainers(containers: any[] | undefined) {
  return containers?.map(c => ({
    name: c?.name,
    image: c?.image,
    resources: c?.resources,
    args: c?.args,
    env: c?.env?.map(slimEnvVar),
  }));
}

/**
 * An operator resource's spec with every `env` list's values digested
 * wherever it sits (pod templates inside the spec hold them too).
 */
function slimOperatorSpec(value: any): any {
  if (Array.isArray(value)) return value.map(slimOperatorSpec);
  if (!value || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    out[key] =
      key === 'env' && Array.isArray(v)
        ? v.map(slimEnvVar)
        : slimOperatorSpec(v);
  }
  return out;
}

/** Trims one object of a kind. */
export function slimObject(key: keyof ClusterObjects, obj: any): KubeObject {
  const base = { apiVersion: obj?.apiVersion, kind: obj?.kind };
  switch (key) {
    case 'pods':
      return {
        ...base,
        metadata: slimMetadata(obj.metadata, false),
        spec: {
          nodeName: obj.spec?.nodeName,
          volumes: obj.spec?.volumes
            ?.filter((v: any) => v?.persistentVolumeClaim)
            .map((v: any) => ({
              name: v.name,
              persistentVolumeClaim: v.persistentVolumeClaim,
            })),
        },
        status: {
          phase: obj.status?.phase,
          conditions: obj.status?.conditions?.filter(
            (c: any) => c?.type === 'Ready',
          ),
          containerStatuses: obj.status?.containerStatuses?.map((s: any) => ({
            name: s?.name,
            restartCount: s?.restartCount,
          })),
        },
      };
    case 'nodes':
      return {
        ...base,
        metadata: {
          name: obj.metadata?.name,
          resourceVersion: obj.metadata?.resourceVersion,
          labels: obj.metadata?.labels,
        },
      };
    case 'persistentVolumes': {
      const spec = obj.spec ?? {};
      return {
        ...base,
        metadata: slimMetadata(obj.metadata, false),
        spec: {
          capacity: spec.capacity,
          accessModes: spec.accessModes,
          storageClassName: spec.storageClassName,
          claimRef: spec.claimRef && {
            namespace: spec.claimRef.namespace,
            name: spec.claimRef.name,
          },
          csi: spec.csi && {
            driver: spec.csi.driver,
            volumeHandle: spec.csi.volumeHandle,
            volumeAttributes: spec.csi.volumeAttributes,
          },
          cephfs: spec.cephfs && {
            monitors: spec.cephfs.monitors,
            path: spec.cephfs.path,
          },
          nfs: spec.nfs && { server: spec.nfs.server, path: spec.nfs.path },
        },
        status: { phase: obj.status?.phase },
      };
    }
    case 'statefulSets': {
      const spec = obj.spec ?? {};
      return {
        ...base,
        metadata: slimMetadata(obj.metadata),
        spec: {
          replicas: spec.replicas,
          serviceName: spec.serviceName,
          ordinals: spec.ordinals,
          selector: spec.selector,
          updateStrategy: spec.updateStrategy,
          template: {
            spec: {
              containers: slimContainers(spec.template?.spec?.containers),
              volumes: spec.template?.spec?.volumes
                ?.filter((v: any) => v?.persistentVolumeClaim)
                .map((v: any) => ({
                  name: v.name,
                  persistentVolumeClaim: v.persistentVolumeClaim,
                })),
            },
          },
          volumeClaimTemplates: spec.volumeClaimTemplates?.map((t: any) => ({
            metadata: { name: t?.metadata?.name },
            spec: {
              accessModes: t?.spec?.accessModes,
              storageClassName: t?.spec?.storageClassName,
              resources: t?.spec?.resources,
            },
          })),
        },
        status: obj.status,
      };
    }
    case 'persistentVolumeClaims':
      return {
        ...base,
        metadata: slimMetadata(obj.metadata, false),
        spec: {
          accessModes: obj.spec?.accessModes,
          storageClassName: obj.spec?.storageClassName,
          resources: obj.spec?.resources,
          volumeName: obj.spec?.volumeName,
        },
        status: { phase: obj.status?.phase, capacity: obj.status?.capacity },
      };
    case 'cnpgClusters': {
      const { bootstrap, externalClusters, superuserSecret, ...spec } =
        obj.spec ?? {};
      return {
        ...base,
        metadata: slimMetadata(obj.metadata),
        spec,
        status: obj.status,
      };
    }
    case 'strimziKafkas':
    case 'strimziNodePools':
    case 'strimziMirrorMakers2':
    case 'elasticsearches':
    case 'perconaXtraDbClusters':
    case 'perconaServerMongodbs':
    case 'zalandoPostgresqls':
    case 'mongodbCommunities':
    case 'innodbClusters':
      return {
        ...base,
        metadata: slimMetadata(obj.metadata),
        spec: slimOperatorSpec(obj.spec),
        status: obj.status,
      };
    default:
      return {
        ...base,
        metadata: slimMetadata(obj.metadata),
        spec: obj.spec,
        status: obj.status,
      };
  }
}
