/*
 * Turns the raw objects of one cluster into stateful workloads with their
 * pods, claims and volumes. A workload is a StatefulSet or a CloudNativePG
 * `Cluster` (which runs its pods without a StatefulSet).
 */
import {
  ANNOTATION_CNPG_FENCED_INSTANCES,
  LABEL_CNPG_CLUSTER,
  LABEL_CNPG_INSTANCE_ROLE,
  LABEL_POD_ROLE,
  LABEL_TOPOLOGY_ZONE,
} from './annotations';
import { roleFromAnnotation, workloadRoleOf } from './chartConventions';
import { annotationOf, ClusterObjects, KubeObject, labelOf } from './kube';
import {
  operatorPodRoleOf,
  operatorRoleOf,
  operatorWorkloads,
} from './operators';
import { ownershipOf } from './ownership';
import {
  ClusterRole,
  PodRole,
  RoleSource,
  TopologyPod,
  TopologyVolume,
  TopologyWorkload,
} from './types';

function toInt(value: unknown, fallback = 0): number {
  const n = Number(value);
  return Number.isFinite(n) ? Math.trunc(n) : fallback;
}

function podRole(pod: KubeObject, fallback: PodRole = 'unknown'): PodRole {
  const raw =
    labelOf(pod, LABEL_POD_ROLE) ?? labelOf(pod, LABEL_CNPG_INSTANCE_ROLE);
  if (raw === 'primary' || raw === 'replica' || raw === 'arbiter') return raw;
  return operatorPodRoleOf(pod) ?? fallback;
}

function podOrdinal(name: string, prefix: string): number | undefined {
  if (!name.startsWith(`${prefix}-`)) return undefined;
  const rest = name.slice(prefix.length + 1);
  return /^\d+$/.test(rest) ? Number(rest) : undefined;
}

function buildPod(
  pod: KubeObject,
  prefix: string,
  zoneOfNode: Map<string, string>,
  fallbackRole?: PodRole,
): TopologyPod {
  const statuses: any[] = pod.status?.containerStatuses ?? [];
  const readyCondition = (pod.status?.conditions ?? []).find(
    (c: any) => c?.type === 'Ready',
  );
  const node: string | undefined = pod.spec?.nodeName || undefined;
  return {
    name: pod.metadata.name,
    ordinal: podOrdinal(pod.metadata.name, prefix),
    phase: pod.status?.phase ?? 'Unknown',
    ready: readyCondition?.status === 'True',
    restarts: statuses.reduce((sum, s) => sum + toInt(s?.restartCount), 0),
    node,
    zone: node ? zoneOfNode.get(node) : undefined,
    role: podRole(pod, fallbackRole),
  };
}

/**
 * The identity of a shared filesystem backing a volume (CephFS via CSI or
 * the removed in-tree plugin). Two clusters with equal ids mount the same data.
 */
export function sharedSourceOf(pv: KubeObject | undefined): string | undefined {
  const spec = pv?.spec;
  if (!spec) return undefined;
  const modes: string[] = spec.accessModes ?? [];
  const rwx = modes.includes('ReadWriteMany');
  if (spec.csi?.driver === 'cephfs.csi.ceph.com') {
    const attrs = spec.csi.volumeAttributes ?? {};
    const fs = attrs.fsName ?? '';
    const path = attrs.rootPath ?? attrs.subvolumePath ?? spec.csi.volumeHandle;
    return `cephfs:${attrs.clusterID ?? ''}:${fs}:${path ?? ''}`;
  }
  if (spec.cephfs) {
    const monitors = [...(spec.cephfs.monitors ?? [])].sort().join(',');
    return `cephfs:${monitors}::${spec.cephfs.path ?? '/'}`;
  }
  if (rwx && spec.nfs) {
    return `nfs:${spec.nfs.server}:${spec.nfs.path}`;
  }
  return undefined;
}

function buildVolume(
  pvc: KubeObject,
  pvs: Map<string, KubeObject>,
): TopologyVolume {
  const volumeName: string | undefined = pvc.spec?.volumeName || undefined;
  const pv = volumeName ? pvs.get(volumeName) : undefined;
  return {
    claimName: pvc.metadata.name,
    size: pvc.spec?.resources?.requests?.storage,
    capacity: pvc.status?.capacity?.storage ?? pv?.spec?.capacity?.storage,
    storageClass:
      pvc.spec?.storageClassName ?? pv?.spec?.storageClassName ?? undefined,
    accessModes: pvc.spec?.accessModes ?? pvc.status?.accessModes ?? [],
    bound: pvc.status?.phase === 'Bound',
    volumeName,
    sharedSource: sharedSourceOf(pv),
    sharedWith: [],
  };
}

function primaryImage(podSpec: any): string | undefined {
  return podSpec?.containers?.[0]?.image;
}

/**
 * Builds the stateful workloads of one cluster from its objects; with an
 * `entityRef`, each workload also says whether it is stamped for that entity.
 */
export function buildWorkloads(
  objects: ClusterObjects,
  options: { entityRef?: string } = {},
): TopologyWorkload[] {
  const { entityRef } = options;
  const ownership = (obj: KubeObject) =>
    entityRef === undefined ? {} : { ownership: ownershipOf(obj, entityRef) };
  const zoneOfNode = new Map<string, string>();
  for (const node of objects.nodes) {
    const zone = labelOf(node, LABEL_TOPOLOGY_ZONE);
    if (zone) zoneOfNode.set(node.metadata.name, zone);
  }
  const pvs = new Map(
    objects.persistentVolumes.map(pv => [pv.metadata.name, pv]),
  );
  const claims = new Map(
    objects.persistentVolumeClaims.map(c => [
      `${c.metadata.namespace}/${c.metadata.name}`,
      c,
    ]),
  );

  const claimsOf = (namespace: string, names: Set<string>) =>
    [...names]
      .sort()
      .map(n => claims.get(`${namespace}/${n}`))
      .filter((c): c is KubeObject => !!c)
      .map(c => buildVolume(c, pvs));

  const podClaimNames = (pods: KubeObject[]) => {
    const names = new Set<string>();
    for (const pod of pods) {
      for (const v of pod.spec?.volumes ?? []) {
        if (v?.persistentVolumeClaim?.claimName) {
          names.add(v.persistentVolumeClaim.claimName);
        }
      }
    }
    return names;
  };

  const workloads: TopologyWorkload[] = [];

  for (const sts of objects.statefulSets) {
    const { name } = sts.metadata;
    const namespace = sts.metadata.namespace ?? 'default';
    const ownsPod = (pod: KubeObject) =>
      pod.metadata.namespace === sts.metadata.namespace &&
      ((pod.metadata.ownerReferences ?? []).some(
        o => o.kind === 'StatefulSet' && o.name === name,
      ) ||
        (!pod.metadata.ownerReferences?.length &&
          podOrdinal(pod.metadata.name, name) !== undefined));
    const pods = objects.pods.filter(ownsPod);
    const claimNames = podClaimNames(pods);
    const templates: string[] = (sts.spec?.volumeClaimTemplates ?? []).map(
      (t: any) => t?.metadata?.name,
    );
    for (const claim of objects.persistentVolumeClaims) {
      if (claim.metadata.namespace !== sts.metadata.namespace) continue;
      if (
        templates.some(
          t => podOrdinal(claim.metadata.name, `${t}-${name}`) !== undefined,
        )
      ) {
        claimNames.add(claim.metadata.name);
      }
    }
    const signal =
      (!roleFromAnnotation(sts) && operatorRoleOf(sts, objects)) ||
      workloadRoleOf(sts);
    workloads.push({
      kind: 'StatefulSet',
      apiVersion: sts.apiVersion ?? 'apps/v1',
      name,
      namespace,
      role: signal.role,
      ...(signal.source ? { roleSource: signal.source } : {}),
      ...(signal.component ? { component: signal.component } : {}),
      replicas: {
        desired: toInt(sts.spec?.replicas, 1),
        ready: toInt(sts.status?.readyReplicas),
        updated: toInt(sts.status?.updatedReplicas),
      },
      revision: sts.status?.updateRevision ?? sts.status?.currentRevision,
      image: primaryImage(sts.spec?.template?.spec),
      ordinalsStart: toInt(sts.spec?.ordinals?.start),
      updateStrategy: sts.spec?.updateStrategy?.type ?? 'RollingUpdate',
      serviceName: sts.spec?.serviceName,
      pods: pods
        .map(p => buildPod(p, name, zoneOfNode, signal.podRole))
        .sort((a, b) => (a.ordinal ?? 0) - (b.ordinal ?? 0)),
      volumes: claimsOf(namespace, claimNames),
      ...ownership(sts),
    });
  }

  for (const cluster of objects.cnpgClusters) {
    const { name } = cluster.metadata;
    const namespace = cluster.metadata.namespace ?? 'default';
    const pods = objects.pods.filter(
      p =>
        p.metadata.namespace === cluster.metadata.namespace &&
        labelOf(p, LABEL_CNPG_CLUSTER) === name,
    );
    const claimNames = podClaimNames(pods);
    for (const claim of objects.persistentVolumeClaims) {
      if (
        claim.metadata.namespace === cluster.metadata.namespace &&
        labelOf(claim, LABEL_CNPG_CLUSTER) === name
      ) {
        claimNames.add(claim.metadata.name);
      }
    }
    const fenced = annotationOf(cluster, ANNOTATION_CNPG_FENCED_INSTANCES);
    let role: ClusterRole = roleFromAnnotation(cluster) ?? 'unknown';
    let roleSource: RoleSource | undefined;
    if (fenced && fenced !== '[]') {
      role = 'fenced';
      roleSource = 'cloudnative-pg';
    } else if (role === 'unknown') {
      roleSource = 'cloudnative-pg';
      const replica = cluster.spec?.replica;
      const isReplica =
        replica?.enabled === true ||
        (replica?.primary !== undefined &&
          replica?.self !== undefined &&
          replica.primary !== replica.self);
      role = isReplica ? 'passive' : 'active';
    }
    workloads.push({
      kind: 'Cluster',
      apiVersion: cluster.apiVersion ?? 'postgresql.cnpg.io/v1',
      name,
      namespace,
      role,
      ...(roleSource ? { roleSource } : {}),
      replicas: {
        desired: toInt(cluster.spec?.instances, 1),
        ready: toInt(cluster.status?.readyInstances),
        updated: toInt(
          cluster.status?.readyInstances ?? cluster.status?.instances,
        ),
      },
      revision: cluster.status?.cloudNativePGCommitHash,
      image: cluster.spec?.imageName ?? cluster.status?.image,
      ordinalsStart: 1,
      updateStrategy: cluster.spec?.primaryUpdateStrategy,
      serviceName: `${name}-rw`,
      pods: pods
        .map(p => buildPod(p, name, zoneOfNode))
        .sort((a, b) => (a.ordinal ?? 0) - (b.ordinal ?? 0)),
      volumes: claimsOf(namespace, claimNames),
      ...ownership(cluster),
    });
  }

  workloads.push(
    ...operatorWorkloads(objects, {
      workloadOf(resource, pods, fields) {
        const namespace = resource.metadata.namespace ?? 'default';
        return {
          ...fields,
          pods: pods
            .map(p => buildPod(p, resource.metadata.name, zoneOfNode))
            .sort((a, b) => (a.ordinal ?? 0) - (b.ordinal ?? 0)),
          volumes: claimsOf(namespace, podClaimNames(pods)),
          ...ownership(resource),
        };
      },
    }),
  );

  return workloads.sort((a, b) => a.name.localeCompare(b.name));
}
