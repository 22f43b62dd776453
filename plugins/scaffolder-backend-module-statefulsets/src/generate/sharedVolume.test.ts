import { demoClusters } from '../__fixtures__/clusters';
import { goldenCases } from './__fixtures__/cases';
import { generateManifests } from './generateManifests';
import { GenerateRequest } from './types';

const sharedCases = goldenCases.filter(
  c => c.request.storage.sharedVolume !== undefined,
);

/** The directory of the shared volume each pod of each cluster mounts, as kubelet expands subPathExpr. */
function directories(request: GenerateRequest): Record<string, string[]> {
  const result = generateManifests(request, demoClusters);
  const out: Record<string, string[]> = {};
  for (const { path, object } of result.objects) {
    if (object.kind !== 'StatefulSet' || !path.startsWith('clusters/')) {
      continue;
    }
    const spec = object.spec as any;
    const mount = spec.template.spec.containers[0].volumeMounts.find(
      (m: { name: string }) => m.name === 'data',
    );
    const cluster = path.split('/')[1];
    out[cluster] = Array.from({ length: spec.replicas }, (_, i) =>
      mount.subPathExpr.replace(
        '$(POD_NAME)',
        `${object.metadata.name}-${spec.ordinals.start + i}`,
      ),
    );
  }
  return out;
}

describe.each(sharedCases.map(c => [c.id, c] as const))('%s', (_id, c) => {
  it('gives each pod its own directory, the one its counterparts in the other clusters use', () => {
    const dirs = directories(c.request);
    const [first, ...others] = Object.values(dirs);
    expect(new Set(first).size).toBe(first.length);
    for (const o of others) expect(o).toEqual(first);
  });

  it('stages the volume with the platform Secret of the database namespace', () => {
    const result = generateManifests(c.request, demoClusters);
    for (const { object } of result.objects.filter(
      o => o.object.kind === 'PersistentVolume',
    )) {
      expect((object.spec as any).csi.nodeStageSecretRef).toEqual({
        name: c.request.storage.sharedVolume!.cephfs!.secretRef.name,
        namespace: c.request.namespace,
      });
    }
  });
});

describe('shared volume rules', () => {
  const base = sharedCases[0].request;
  const cephfs = base.storage.sharedVolume!.cephfs!;
  const refusal = (overrides: Partial<GenerateRequest>) => {
    try {
      generateManifests({ ...base, ...overrides }, demoClusters);
    } catch (e) {
      return (e as Error).message;
    }
    return 'accepted';
  };

  it('refuses engines that replicate themselves', () => {
    expect(refusal({ engine: 'elasticsearch', image: undefined })).toMatch(
      /^storage\.accessMode: elasticsearch replicates its data across clusters itself.*use accessMode ReadWriteOnce/,
    );
  });

  it('refuses two active sides', () => {
    expect(
      refusal({
        strategy: 'active-active',
        clusters: base.clusters.map(c => ({ ...c, role: 'active' })),
      }),
    ).toMatch(/^strategy: on a shared volume .* choose active-passive/);
  });

  it('refuses a cluster whose pods would lack counterparts', () => {
    const clusters = base.clusters.map((c, i) => ({
      ...c,
      replicas: i === 1 ? 1 : 2,
    }));
    expect(refusal({ clusters })).toBe(
      "clusters[1].replicas: on a shared volume every pod's directory must have a counterpart in every cluster, but eu-west runs 1 pods and eu-central 2; run 2 replicas in every cluster",
    );
  });

  it('refuses ordinal starts that differ between clusters', () => {
    const clusters = base.clusters.map((c, i) => ({
      ...c,
      ordinalsStart: i === 0 ? 0 : 10,
    }));
    expect(refusal({ clusters })).toMatch(
      /^clusters\[1\]\.ordinalsStart: on a shared volume every cluster runs the same pods/,
    );
  });

  it('refuses a node-stage Secret outside the database namespace, saying what the platform provides', () => {
    expect(
      refusal({
        storage: {
          ...base.storage,
          sharedVolume: {
            cephfs: {
              ...cephfs,
              secretRef: { name: 'ceph-user', namespace: 'ceph-csi' },
            },
          },
        },
      }),
    ).toBe(
      `storage.sharedVolume.cephfs.secretRef.namespace: the node-stage Secret is looked up in ceph-csi, but a database's volume may only use Secrets of its own namespace ${base.namespace}; have the platform create Secret ceph-user (keys userID and userKey of the CephFS user) in ${base.namespace} in every cluster, and leave secretRef.namespace empty`,
    );
  });

  it('names the Secret keys when the node-stage Secret is missing', () => {
    expect(
      refusal({
        storage: {
          ...base.storage,
          sharedVolume: {
            cephfs: { ...cephfs, secretRef: { name: '' } },
          },
        },
      }),
    ).toMatch(/cephfs lacks secretRef\.name.*keys userID and userKey/);
  });
});
