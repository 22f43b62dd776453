import fs from 'node:fs';
import {
  createMockDirectory,
  mockCredentials,
} from '@backstage/backend-test-utils';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { StaticClusterDirectory } from '../clusters/ClusterDirectory';
import { demoClusters } from '../__fixtures__/clusters';
import { GenerateRequest } from '../generate/types';
import { createGenerateStatefulSetAction } from './generate';

function baseInput(): GenerateRequest {
  return {
    name: 'orders-db',
    namespace: 'orders',
    engine: 'mysql',
    strategy: 'active-passive',
    clusters: [
      { name: 'eu-central', role: 'active', weight: 100, replicas: 3 },
      { name: 'eu-west', role: 'passive', weight: 0, replicas: 2 },
    ],
    storage: { size: '20Gi' },
    federation: 'none',
    routing: 'istio',
    owner: 'group:default/dba',
  };
}

// Generating and validating a full manifest set is heavy work; on a loaded
// machine the first test (which also warms the validators) can pass 5 s.
jest.setTimeout(30_000);

describe('multicluster:statefulset:generate', () => {
  const workspace = createMockDirectory();
  beforeEach(() => workspace.clear());

  function run(input: GenerateRequest, clusters = demoClusters, extra = {}) {
    const action = createGenerateStatefulSetAction({
      clusterDirectory: new StaticClusterDirectory(clusters),
    });
    // The mock context takes only some fields; the rest are laid over it.
    const ctx = {
      ...createMockActionContext({
        input: input as any,
        workspacePath: workspace.path,
      }),
      ...extra,
    };
    return { ctx, done: action.handler(ctx) };
  }

  const badInputs: Array<
    [string, (i: GenerateRequest) => void, RegExp, ...any[]]
  > = [
    [
      'an unknown cluster',
      i => (i.clusters[1].name = 'ap-south'),
      /^clusters\[1\]\.name: unknown cluster "ap-south".*eu-central, eu-west, us-east/,
    ],
    [
      'weights not adding up to 100',
      i => (i.clusters[0].weight = 90),
      /^clusters\[\]\.weight: the weights add up to 90; make them add up to 100/,
    ],
    [
      'two actives in active-passive',
      i => (i.clusters[1].role = 'active'),
      /^clusters\[1\]\.role: active-passive allows one active cluster, but eu-central and eu-west are active/,
    ],
    [
      'no active cluster',
      i => (i.clusters[0].role = 'passive'),
      /^clusters\[\]\.role: no cluster is active/,
    ],
    [
      'ReadWriteMany without a shared volume source',
      i => (i.storage = { size: '20Gi', accessMode: 'ReadWriteMany' }),
      /^storage\.sharedVolume\.cephfs: ReadWriteMany needs a shared volume source, but none is given/,
    ],
    [
      'a CephFS source missing fields',
      i =>
        (i.storage = {
          size: '20Gi',
          accessMode: 'ReadWriteMany',
          sharedVolume: {
            cephfs: {
              fsName: 'cephfs',
              path: '',
              clusterID: 'c',
              secretRef: { name: '' },
            },
          },
        }),
      /^storage\.sharedVolume\.cephfs: .*lacks path, secretRef\.name/,
    ],
    [
      'a shared volume with ReadWriteOnce',
      i =>
        (i.storage = {
          size: '20Gi',
          sharedVolume: {
            cephfs: {
              fsName: 'f',
              path: '/p',
              clusterID: 'c',
              secretRef: { name: 's' },
            },
          },
        }),
      /^storage\.accessMode: /,
    ],
    [
      'overlapping ordinals',
      i => {
        i.clusters[0].ordinalsStart = 0;
        i.clusters[1].ordinalsStart = 2;
      },
      /^clusters\[1\]\.ordinalsStart: ordinals 2-3 of eu-west overlap ordinals 0-2 of eu-central; start at 3 or later/,
    ],
    [
      'a name that is not DNS-1123',
      i => (i.name = 'Orders_DB'),
      /^name: "Orders_DB" is not a DNS-1123 label/,
    ],
    [
      'a name too long for the derived Service names',
      i => (i.name = 'a'.repeat(55)),
      /^name: .* at most 54 characters/,
    ],
    [
      'a namespace that is not DNS-1123',
      i => (i.namespace = 'Orders'),
      /^namespace: "Orders" is not a DNS-1123 label/,
    ],
    [
      'a cluster outside allowedRegions',
      i => {
        i.allowedRegions = ['eu-*'];
        i.clusters.push({
          name: 'us-east',
          role: 'passive',
          weight: 0,
          replicas: 1,
        });
      },
      /^clusters\[2\]\.name: cluster "us-east" is in region us-east-1, outside allowedRegions \(eu-\*\)/,
    ],
    [
      'a cluster listed twice',
      i => (i.clusters[1].name = 'eu-central'),
      /^clusters\[1\]\.name: cluster "eu-central" is listed twice/,
    ],
    [
      'a storage size that is no quantity',
      i => (i.storage.size = 'twenty gigs'),
      /^storage\.size: "twenty gigs" is not a Kubernetes quantity/,
    ],
    [
      'PostgreSQL active-active',
      i => {
        i.engine = 'postgresql';
        i.strategy = 'active-active';
        i.clusters[1].role = 'active';
      },
      /^strategy: CloudNativePG runs one primary/,
    ],
    [
      'PostgreSQL through KubeFed',
      i => {
        i.engine = 'postgresql';
        i.federation = 'kubefed';
      },
      /^federation: KubeFed here federates StatefulSets only/,
    ],
    [
      'PostgreSQL replica clusters without a shared CA',
      i => (i.engine = 'postgresql'),
      /^postgresql\.serverCASecret: .*no shared CA is given; have the platform put a Secret with ca\.crt and ca\.key/,
    ],
    [
      'generic without an image',
      i => (i.engine = 'generic'),
      /^image: the generic engine has no default image/,
    ],
  ];

  it.each(badInputs)(
    'rejects %s, naming the field, and writes nothing',
    async (_what, mutate, message) => {
      const input = baseInput();
      mutate(input);
      const { done } = run(input);
      await expect(done).rejects.toMatchObject({
        name: 'InputError',
        message: expect.stringMatching(message),
      });
      expect(fs.readdirSync(workspace.path)).toEqual([]);
    },
  );

  it('rejects federation without a configured host, saying how to fix it', async () => {
    const input = { ...baseInput(), federation: 'karmada' as const };
    const { done } = run(
      input,
      demoClusters.map(({ federationHost: _, ...c }) => c),
    );
    await expect(done).rejects.toMatchObject({
      name: 'InputError',
      message: expect.stringMatching(
        /^federation: no configured cluster is marked as a karmada host; add the Karmada API server .*federationHost: karmada, or choose federation none/,
      ),
    });
    expect(fs.readdirSync(workspace.path)).toEqual([]);
  });

  it('writes the files under targetPath and reports the apply plan', async () => {
    const input = { ...baseInput(), federation: 'karmada' as const } as any;
    input.targetPath = 'deploy';
    const { ctx, done } = run(input);
    await done;
    const outputs = Object.fromEntries(
      (ctx.output as jest.Mock).mock.calls.map(([k, v]) => [k, v]),
    );
    expect(outputs.entityRef).toBe('component:default/orders-db');
    expect(outputs.catalogInfoPath).toBe('deploy/catalog-info.yaml');
    expect(fs.readdirSync(workspace.path)).toEqual(['deploy']);
    const host = outputs.clusters.find((c: any) => c.federationHost);
    expect(host.name).toBe('karmada');
    expect(host.manifests).toContain(
      'deploy/federation/propagationpolicy.yaml',
    );
    // With federation the member StatefulSets are not applied directly.
    const west = outputs.clusters.find((c: any) => c.name === 'eu-west');
    expect(west.manifests).not.toContain(
      'deploy/clusters/eu-west/statefulset.yaml',
    );
    expect(outputs.files).toContain('deploy/clusters/eu-west/statefulset.yaml');
    expect(
      fs.readFileSync(
        `${workspace.path}/deploy/clusters/eu-west/statefulset.yaml`,
        'utf8',
      ),
    ).toMatch(/^# Rendered for eu-west\. Not applied directly/);
  });

  it('in a dry run writes the preview into the (throwaway) workspace', async () => {
    const { ctx, done } = run(baseInput(), demoClusters, { isDryRun: true });
    await done;
    expect(fs.existsSync(`${workspace.path}/catalog-info.yaml`)).toBe(true);
    expect(ctx.output).toHaveBeenCalledWith(
      'entityRef',
      'component:default/orders-db',
    );
  });

  it('asks the directory on behalf of the initiator, through a checkpoint', async () => {
    const directory = {
      listClusters: jest.fn(async () => demoClusters),
    };
    const action = createGenerateStatefulSetAction({
      clusterDirectory: directory,
    });
    const credentials = mockCredentials.user('user:default/ada');
    const checkpoint = jest.fn(async ({ fn }: { key: string; fn: () => any }) =>
      fn(),
    );
    const ctx = {
      ...createMockActionContext({
        input: baseInput() as any,
        workspacePath: workspace.path,
      }),
      getInitiatorCredentials: async () => credentials,
      checkpoint: checkpoint as any,
    };
    await action.handler(ctx);
    expect(directory.listClusters).toHaveBeenCalledWith({ credentials });
    expect(checkpoint.mock.calls[0][0].key).toBe(
      'multicluster-statefulset-clusters-orders-orders-db',
    );
  });
});
