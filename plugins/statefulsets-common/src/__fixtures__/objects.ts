/*
 * Builders of Kubernetes objects for the tests of this package: a demo
 * database as the scaffolder would create it in one cluster.
 */
import { ClusterObjects, emptyClusterObjects, KubeObject } from '../kube';

export interface DemoClusterOptions {
  cluster: string;
  role?: 'active' | 'passive' | 'fenced';
  source?: string;
  lag?: string;
  observedAt?: string;
  image?: string;
  replicas?: number;
  readyPods?: number;
  storage?: string;
  storageClass?: string;
  ordinalsStart?: number;
  bound?: boolean;
  sharedCephfs?: 'csi' | 'in-tree';
  /** The owner-entity stamp; `null` leaves the objects unstamped. */
  owner?: string | null;
}

/** The entity the demo database belongs to. */
export const DEMO_ENTITY_REF = 'component:default/orders-db';

/** The owner-entity annotation for the demo objects, as the backend stamps it. */
export function stampOf(o: { owner?: string | null }): Record<string, string> {
  const owner = o.owner === undefined ? DEMO_ENTITY_REF : o.owner;
  return owner === null
    ? {}
    : { 'multicluster-statefulsets/owner-entity': owner };
}

export function statefulSet(o: DemoClusterOptions): KubeObject {
  const annotations: Record<string, string> = { ...stampOf(o) };
  if (o.role) annotations['multicluster-statefulsets/role'] = o.role;
  if (o.source)
    annotations['multicluster-statefulsets/replication-source'] = o.source;
  if (o.lag !== undefined) {
    annotations['multicluster-statefulsets/replication-lag-seconds'] = o.lag;
  }
  if (o.observedAt) {
    annotations['multicluster-statefulsets/replication-lag-observed-at'] =
      o.observedAt;
  }
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: {
      name: 'orders-db',
      namespace: 'databases',
      labels: { 'backstage.io/kubernetes-id': 'orders-db' },
      annotations,
    },
    spec: {
      replicas: o.replicas ?? 2,
      serviceName: 'orders-db',
      ordinals: { start: o.ordinalsStart ?? 0 },
      template: {
        spec: {
          containers: [
            {
              name: 'mysql',
              image: o.image ?? 'mysql:8.4.2',
              resources: { requests: { cpu: '500m' } },
            },
          ],
        },
      },
      volumeClaimTemplates: [
        {
          metadata: { name: 'data' },
          spec: {
            storageClassName: o.storageClass ?? 'fast',
            resources: { requests: { storage: o.storage ?? '10Gi' } },
          },
        },
      ],
    },
    status: {
      readyReplicas: o.readyPods ?? o.replicas ?? 2,
      updatedReplicas: o.replicas ?? 2,
      updateRevision: 'orders-db-7d9f',
    },
  };
}

export function demoCluster(o: DemoClusterOptions): ClusterObjects {
  const objects = emptyClusterObjects();
  const sts = statefulSet(o);
  objects.statefulSets.push(sts);
  const replicas = o.replicas ?? 2;
  const start = o.ordinalsStart ?? 0;
  const ready = o.readyPods ?? replicas;
  objects.nodes.push({
    metadata: {
      name: `${o.cluster}-node-a`,
      labels: { 'topology.kubernetes.io/zone': `${o.cluster}-a` },
    },
  });
  for (let i = 0; i < replicas; i++) {
    const ordinal = start + i;
    const volumes: any[] = [
      {
        name: 'data',
        persistentVolumeClaim: { claimName: `data-orders-db-${ordinal}` },
      },
    ];
    if (o.sharedCephfs) {
      volumes.push({
        name: 'shared',
        persistentVolumeClaim: { claimName: 'orders-shared' },
      });
    }
    objects.pods.push({
      metadata: {
        name: `orders-db-${ordinal}`,
        namespace: 'databases',
        labels: {
          'multicluster-statefulsets/pod-role': i === 0 ? 'primary' : 'replica',
        },
        ownerReferences: [{ kind: 'StatefulSet', name: 'orders-db' }],
        annotations: stampOf(o),
      },
      spec: { nodeName: `${o.cluster}-node-a`, volumes },
      status: {
        phase: 'Running',
        conditions: [{ type: 'Ready', status: i < ready ? 'True' : 'False' }],
        containerStatuses: [{ restartCount: i }],
      },
    });
    objects.persistentVolumeClaims.push({
      metadata: {
        name: `data-orders-db-${ordinal}`,
        namespace: 'databases',
        annotations: stampOf(o),
      },
      spec: {
        accessModes: ['ReadWriteOnce'],
        storageClassName: o.storageClass ?? 'fast',
        resources: { requests: { storage: o.storage ?? '10Gi' } },
        volumeName: `pv-${o.cluster}-${ordinal}`,
      },
      status: { phase: o.bound === false ? 'Pending' : 'Bound' },
    });
  }
  if (o.sharedCephfs) {
    objects.persistentVolumeClaims.push({
      metadata: {
        name: 'orders-shared',
        namespace: 'databases',
        annotations: stampOf(o),
      },
      spec: {
        accessModes: ['ReadWriteMany'],
        storageClassName: '',
        resources: { requests: { storage: '100Gi' } },
        volumeName: `shared-${o.cluster}`,
      },
      status: { phase: 'Bound' },
    });
    objects.persistentVolumes.push({
      metadata: { name: `shared-${o.cluster}` },
      spec:
        o.sharedCephfs === 'csi'
          ? {
              accessModes: ['ReadWriteMany'],
              capacity: { storage: '100Gi' },
              csi: {
                driver: 'cephfs.csi.ceph.com',
                volumeHandle: `shared-${o.cluster}`,
                volumeAttributes: {
                  clusterID: 'ceph-global',
                  fsName: 'dbfs',
                  staticVolume: 'true',
                  rootPath: '/orders',
                },
              },
            }
          : {
              accessModes: ['ReadWriteMany'],
              capacity: { storage: '100Gi' },
              cephfs: {
                monitors: ['10.0.0.2:6789', '10.0.0.1:6789'],
                path: '/orders',
              },
            },
    });
  }
  return objects;
}
