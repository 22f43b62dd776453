import { demoCluster } from './__fixtures__/objects';
import { buildWorkloads, sharedSourceOf } from './buildWorkloads';
import { emptyClusterObjects } from './kube';

describe('buildWorkloads', () => {
  it('builds a StatefulSet with its ordinal pods and claims', () => {
    const [w] = buildWorkloads(
      demoCluster({
        cluster: 'eu-west',
        role: 'passive',
        replicas: 3,
        readyPods: 2,
        ordinalsStart: 10,
      }),
    );
    expect(w.kind).toBe('StatefulSet');
    expect(w.role).toBe('passive');
    expect(w.ordinalsStart).toBe(10);
    expect(w.image).toBe('mysql:8.4.2');
    expect(w.revision).toBe('orders-db-7d9f');
    expect(w.replicas).toEqual({ desired: 3, ready: 2, updated: 3 });
    expect(
      w.pods.map(p => [p.ordinal, p.ready, p.role, p.zone, p.restarts]),
    ).toEqual([
      [10, true, 'primary', 'eu-west-a', 0],
      [11, true, 'replica', 'eu-west-a', 1],
      [12, false, 'replica', 'eu-west-a', 2],
    ]);
    expect(
      w.volumes.map(v => [v.claimName, v.size, v.storageClass, v.bound]),
    ).toEqual([
      ['data-orders-db-10', '10Gi', 'fast', true],
      ['data-orders-db-11', '10Gi', 'fast', true],
      ['data-orders-db-12', '10Gi', 'fast', true],
    ]);
  });

  it('reads CloudNativePG clusters and their instance roles', () => {
    const objects = emptyClusterObjects();
    objects.cnpgClusters.push({
      apiVersion: 'postgresql.cnpg.io/v1',
      kind: 'Cluster',
      metadata: { name: 'pg', namespace: 'databases' },
      spec: {
        instances: 2,
        imageName: 'postgres:17',
        replica: { self: 'b', primary: 'a' },
      },
      status: { readyInstances: 1 },
    });
    objects.pods.push({
      metadata: {
        name: 'pg-1',
        namespace: 'databases',
        labels: { 'cnpg.io/cluster': 'pg', 'cnpg.io/instanceRole': 'primary' },
      },
      status: {
        phase: 'Running',
        conditions: [{ type: 'Ready', status: 'True' }],
      },
    });
    const [w] = buildWorkloads(objects);
    expect(w.kind).toBe('Cluster');
    expect(w.role).toBe('passive');
    expect(w.image).toBe('postgres:17');
    expect(w.pods).toEqual([
      expect.objectContaining({
        name: 'pg-1',
        ordinal: 1,
        role: 'primary',
        ready: true,
      }),
    ]);
  });

  it('marks fenced CloudNativePG clusters', () => {
    const objects = emptyClusterObjects();
    objects.cnpgClusters.push({
      metadata: {
        name: 'pg',
        namespace: 'databases',
        annotations: { 'cnpg.io/fencedInstances': '["*"]' },
      },
      spec: { instances: 1 },
    });
    expect(buildWorkloads(objects)[0].role).toBe('fenced');
  });

  it('reports unbound claims', () => {
    const [w] = buildWorkloads(demoCluster({ cluster: 'x', bound: false }));
    expect(w.volumes.every(v => !v.bound)).toBe(true);
  });
});

describe('sharedSourceOf', () => {
  it('recognises CSI and in-tree CephFS', () => {
    const csi = demoCluster({ cluster: 'a', sharedCephfs: 'csi' })
      .persistentVolumes[0];
    const inTree = demoCluster({ cluster: 'b', sharedCephfs: 'in-tree' })
      .persistentVolumes[0];
    expect(sharedSourceOf(csi)).toBe('cephfs:ceph-global:dbfs:/orders');
    expect(sharedSourceOf(inTree)).toBe(
      'cephfs:10.0.0.1:6789,10.0.0.2:6789::/orders',
    );
  });

  it('ignores ordinary volumes', () => {
    expect(
      sharedSourceOf({
        metadata: { name: 'pv' },
        spec: { hostPath: { path: '/x' } },
      }),
    ).toBeUndefined();
  });
});
