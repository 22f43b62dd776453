import type { RunningSimulator } from '../simulator';
import {
  eventually,
  startTestSimulator,
  statefulSet,
} from '../testing/testWorld';
import { revisionOf } from './statefulSetController';

jest.setTimeout(30000);

let sim: RunningSimulator;

beforeAll(async () => {
  sim = await startTestSimulator({
    clusters: [
      {
        name: 'c1',
        region: 'r1',
        zones: ['r1-a', 'r1-b', 'r1-c'],
        objects: [
          {
            apiVersion: 'v1',
            kind: 'Namespace',
            metadata: { name: 'databases' },
          },
          statefulSet('ordered', {
            replicas: 3,
            start: 5,
            annotations: { 'multicluster-statefulsets/role': 'active' },
          }),
          {
            ...statefulSet('parallel', { replicas: 3 }),
            spec: {
              ...statefulSet('parallel', { replicas: 3 }).spec,
              podManagementPolicy: 'Parallel',
            },
          },
          {
            apiVersion: 'v1',
            kind: 'Service',
            metadata: { name: 'ordered', namespace: 'databases' },
            spec: {
              clusterIP: 'None',
              selector: { app: 'ordered' },
              ports: [{ port: 3306 }],
            },
          },
        ],
      },
    ],
  });
});

afterAll(() => sim.stop());

const store = () => sim.stores.get('c1')!;
const pods = (app: string) =>
  store()
    .list('v1', 'Pod', 'databases')
    .filter(p => p.metadata.labels?.app === app)
    .sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : 1));

describe('the StatefulSet controller', () => {
  it('creates ordinal pods from ordinals.start, spread over zones, with roles', async () => {
    await eventually(
      () =>
        pods('ordered').filter(p => p.status?.phase === 'Running').length === 3,
    );
    const ps = pods('ordered');
    expect(ps.map(p => p.metadata.name)).toEqual([
      'ordered-5',
      'ordered-6',
      'ordered-7',
    ]);
    expect(
      ps.map(p => p.metadata.labels!['multicluster-statefulsets/pod-role']),
    ).toEqual(['primary', 'replica', 'replica']);
    expect(ps.map(p => p.spec.subdomain)).toEqual([
      'ordered',
      'ordered',
      'ordered',
    ]);
    const zones = ps.map(
      p =>
        store().get('v1', 'Node', undefined, p.spec.nodeName)!.metadata.labels![
          'topology.kubernetes.io/zone'
        ],
    );
    expect(new Set(zones).size).toBe(3);
    expect(ps[0].spec.volumes).toEqual([
      { name: 'data', persistentVolumeClaim: { claimName: 'data-ordered-5' } },
    ]);
    const pv = store().get(
      'v1',
      'PersistentVolume',
      undefined,
      store().get('v1', 'PersistentVolumeClaim', 'databases', 'data-ordered-5')!
        .spec.volumeName,
    )!;
    expect(pv.spec).toMatchObject({
      storageClassName: 'fast',
      capacity: { storage: '10Gi' },
      accessModes: ['ReadWriteOnce'],
      claimRef: { name: 'data-ordered-5' },
    });
    const ep = await eventually(() => {
      const e: any = store().get('v1', 'Endpoints', 'databases', 'ordered');
      return e?.subsets?.[0]?.addresses?.length === 3 ? e : undefined;
    });
    expect(
      (ep as any).subsets[0].addresses.map((a: any) => a.hostname),
    ).toEqual(['ordered-5', 'ordered-6', 'ordered-7']);
  });

  it('creates Parallel pods together and records events', async () => {
    await eventually(() => pods('parallel').length === 3);
    const events = store()
      .list('v1', 'Event', 'databases')
      .filter(e => (e as any).involvedObject.name === 'parallel');
    expect(events.map(e => (e as any).reason)).toContain('SuccessfulCreate');
  });

  it('rolls a template change out highest ordinal first and reports revisions', async () => {
    const sts = store().get('apps/v1', 'StatefulSet', 'databases', 'ordered')!;
    sts.spec.template.spec.containers[0].image = 'mysql:9';
    const updated = store().update(sts);
    const rev = revisionOf(updated);
    const order: string[] = [];
    const unsubscribe = store().subscribe(e => {
      if (
        e.type === 'DELETED' &&
        e.object.kind === 'Pod' &&
        e.object.metadata.labels?.app === 'ordered'
      )
        order.push(e.object.metadata.name);
    });
    await eventually(() => {
      const s = store().get('apps/v1', 'StatefulSet', 'databases', 'ordered')!;
      return (
        s.status.updatedReplicas === 3 &&
        s.status.readyReplicas === 3 &&
        s.status.currentRevision === rev
      );
    }, 10000);
    unsubscribe();
    expect(order).toEqual(['ordered-7', 'ordered-6', 'ordered-5']);
    expect(
      pods('ordered').map(p => p.metadata.labels!['controller-revision-hash']),
    ).toEqual([rev, rev, rev]);
    expect(
      store().get('apps/v1', 'StatefulSet', 'databases', 'ordered')!.status
        .observedGeneration,
    ).toBe(2);
  });

  it('moves the primary label when the role flips', async () => {
    const sts = store().get('apps/v1', 'StatefulSet', 'databases', 'ordered')!;
    sts.metadata.annotations = {
      ...sts.metadata.annotations,
      'multicluster-statefulsets/role': 'passive',
    };
    store().update(sts);
    const roles = () =>
      pods('ordered').map(
        p => p.metadata.labels!['multicluster-statefulsets/pod-role'],
      );
    await eventually(() => roles().every(r => r === 'replica'));
    expect(roles()).toEqual(['replica', 'replica', 'replica']);
  });
});

describe('static volumes', () => {
  it('binds a claim to the shared volume it names', async () => {
    const sim3 = await startTestSimulator({
      clusters: [
        {
          name: 'c3',
          region: 'r3',
          objects: [
            {
              apiVersion: 'v1',
              kind: 'PersistentVolume',
              metadata: { name: 'shared-cephfs' },
              spec: {
                capacity: { storage: '100Gi' },
                accessModes: ['ReadWriteMany'],
                storageClassName: '',
                csi: {
                  driver: 'cephfs.csi.ceph.com',
                  volumeHandle: 'shared',
                  volumeAttributes: {
                    clusterID: 'ceph',
                    fsName: 'fs',
                    staticVolume: 'true',
                    rootPath: '/shared',
                  },
                },
              },
            },
            {
              apiVersion: 'v1',
              kind: 'PersistentVolumeClaim',
              metadata: { name: 'shared', namespace: 'databases' },
              spec: {
                accessModes: ['ReadWriteMany'],
                storageClassName: '',
                volumeName: 'shared-cephfs',
                resources: { requests: { storage: '100Gi' } },
              },
            },
          ],
        },
      ],
    });
    try {
      const s = sim3.stores.get('c3')!;
      const pvc = await eventually(() => {
        const c = s.get('v1', 'PersistentVolumeClaim', 'databases', 'shared');
        return c?.status?.phase === 'Bound' ? c : undefined;
      });
      expect(pvc!.status).toEqual({
        phase: 'Bound',
        accessModes: ['ReadWriteMany'],
        capacity: { storage: '100Gi' },
      });
      const pv = s.get('v1', 'PersistentVolume', undefined, 'shared-cephfs')!;
      expect(pv.status.phase).toBe('Bound');
      expect(pv.spec.claimRef).toMatchObject({
        namespace: 'databases',
        name: 'shared',
        uid: pvc!.metadata.uid,
      });
      s.delete('v1', 'PersistentVolumeClaim', 'databases', 'shared');
      await eventually(
        () =>
          s.get('v1', 'PersistentVolume', undefined, 'shared-cephfs')?.status
            .phase === 'Released',
      );
    } finally {
      await sim3.stop();
    }
  });
});

describe('claim retention', () => {
  it('deletes claims on scale-down and with the StatefulSet when the policy says Delete', async () => {
    const base = statefulSet('ephemeral', { replicas: 2 });
    const sim2 = await startTestSimulator({
      clusters: [
        {
          name: 'c2',
          region: 'r2',
          objects: [
            {
              apiVersion: 'v1',
              kind: 'Namespace',
              metadata: { name: 'databases' },
            },
            {
              ...base,
              spec: {
                ...base.spec,
                podManagementPolicy: 'Parallel',
                persistentVolumeClaimRetentionPolicy: {
                  whenDeleted: 'Delete',
                  whenScaled: 'Delete',
                },
              },
            },
          ],
        },
      ],
    });
    try {
      const s = sim2.stores.get('c2')!;
      const claims = () =>
        s
          .list('v1', 'PersistentVolumeClaim', 'databases')
          .map(c => c.metadata.name)
          .sort();
      await eventually(() => claims().length === 2);
      const sts = s.get('apps/v1', 'StatefulSet', 'databases', 'ephemeral')!;
      s.update({ ...sts, spec: { ...sts.spec, replicas: 1 } });
      await eventually(() => claims().join() === 'data-ephemeral-0');
      s.delete('apps/v1', 'StatefulSet', 'databases', 'ephemeral');
      expect(claims()).toEqual([]);
      expect(s.list('v1', 'Pod', 'databases')).toEqual([]);
      // The provisioned volumes (reclaim policy Delete) follow their claims.
      await eventually(() => s.list('v1', 'PersistentVolume').length === 0);
    } finally {
      await sim2.stop();
    }
  });
});
