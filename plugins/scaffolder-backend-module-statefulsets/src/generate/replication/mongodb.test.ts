import { demoClusters } from '../../__fixtures__/clusters';
import { goldenCases } from '../__fixtures__/cases';
import { generateManifests } from '../generateManifests';
import { GenerateRequest, KubeObject } from '../types';

interface Member {
  _id: number;
  host: string;
  priority: number;
  votes: number;
  tags: { cluster: string };
}

interface Container {
  name: string;
  command?: string[];
  args?: string[];
  env?: Array<{ name: string; value?: string; valueFrom?: any }>;
  volumeMounts?: Array<{ name: string; mountPath: string }>;
}

interface PodSpec {
  containers: Container[];
  volumes: Array<{ name: string; secret?: any }>;
  securityContext?: Record<string, number>;
}

const mongoCases = goldenCases.filter(c => c.request.engine === 'mongodb');

function generated(request: GenerateRequest) {
  const result = generateManifests(request, demoClusters);
  const find = (cluster: string, kind: string) =>
    result.objects.find(
      o => o.path.startsWith(`clusters/${cluster}/`) && o.object.kind === kind,
    )!.object as KubeObject & Record<string, any>;
  const members = (cluster: string): Member[] =>
    JSON.parse(find(cluster, 'ConfigMap').data['replicaset.json']).members;
  const podSpec = (cluster: string): PodSpec =>
    find(cluster, 'StatefulSet').spec.template.spec;
  return { result, find, members, podSpec };
}

const voters = (members: Member[]) => members.filter(m => m.votes === 1);

describe.each(mongoCases.map(c => [c.id, c] as const))('%s', (_id, c) => {
  const { find, members, podSpec } = generated(c.request);
  const clusters = c.request.clusters.map(p => p.name);
  const primary = c.request.clusters.find(p => p.role === 'active')!.name;
  const secret = `${c.request.name}-credentials`;

  it('has an odd number of at most seven voters; non-voters are never elected', () => {
    const all = members(primary);
    expect(voters(all).length % 2).toBe(1);
    expect(voters(all).length).toBeLessThanOrEqual(7);
    for (const m of all.filter(x => x.votes === 0)) expect(m.priority).toBe(0);
    const priorities = (onPrimary: boolean) =>
      voters(all)
        .filter(m => (m.tags.cluster === primary) === onPrimary)
        .map(m => m.priority);
    expect(Math.min(...priorities(true))).toBeGreaterThan(
      Math.max(...priorities(false)),
    );
    for (const cluster of clusters) expect(members(cluster)).toEqual(all);
  });

  it('runs mongod with authentication and a private copy of the keyFile', () => {
    for (const cluster of clusters) {
      const spec = podSpec(cluster);
      const mongod = spec.containers[0];
      expect(mongod.args).toEqual(
        expect.arrayContaining(['--auth', '--keyFile', '/tmp/mongo-keyfile']),
      );
      expect(mongod.command?.join(' ')).toContain(
        'install -m 0400 /etc/mongo-keyfile/keyfile /tmp/mongo-keyfile && exec docker-entrypoint.sh',
      );
      expect(spec.volumes).toContainEqual({
        name: 'keyfile',
        secret: {
          secretName: secret,
          items: [{ key: 'keyfile', path: 'keyfile' }],
          defaultMode: 0o400,
        },
      });
      expect(spec.securityContext).toEqual({
        runAsUser: 999,
        runAsGroup: 999,
        fsGroup: 999,
      });
      for (const [name, key] of [
        ['MONGO_INITDB_ROOT_USERNAME', 'root-username'],
        ['MONGO_INITDB_ROOT_PASSWORD', 'root-password'],
      ]) {
        expect(mongod.env).toContainEqual({
          name,
          valueFrom: { secretKeyRef: { name: secret, key } },
        });
      }
    }
  });

  it('forms the replica set itself, initiated from the primary cluster first pod', () => {
    const initiator = members(primary).find(m => m.tags.cluster === primary)!;
    const firstOrdinal = initiator._id;
    // A set initiated with one member needs that member to be electable.
    expect(initiator).toMatchObject({ votes: 1, priority: 2 });
    for (const cluster of clusters) {
      const replset = podSpec(cluster).containers.find(
        x => x.name === 'replset',
      )!;
      expect(replset.command?.join(' ')).toContain(
        'mongosh --nodb --quiet /etc/mongo/replset.js',
      );
      expect(replset.env).toContainEqual({
        name: 'MONGO_INITIATOR_ID',
        value: String(firstOrdinal),
      });
      expect(find(cluster, 'ConfigMap').data['replset.js']).toContain(
        'rs.initiate(',
      );
      expect(find(cluster, 'ConfigMap').data['initiate.js']).toBeUndefined();
    }
  });
});

describe('mongodb voters of even layouts', () => {
  const base = mongoCases[0].request;
  const votesByCluster = (request: GenerateRequest) => {
    const { members } = generated(request);
    const counts: Record<string, number> = {};
    for (const m of voters(members(request.clusters[0].name))) {
      counts[m.tags.cluster] = (counts[m.tags.cluster] ?? 0) + 1;
    }
    return counts;
  };

  it('3+3: the cluster other than the primary gives up a vote', () => {
    expect(
      votesByCluster({
        ...base,
        strategy: 'active-passive',
        clusters: [
          { name: 'eu-central', role: 'active', weight: 100, replicas: 3 },
          { name: 'eu-west', role: 'passive', weight: 0, replicas: 3 },
        ],
      }),
    ).toEqual({ 'eu-central': 3, 'eu-west': 2 });
  });

  it('3+2+1: the primary cluster gives up a vote, so no site holds a majority', () => {
    expect(
      votesByCluster({
        ...base,
        strategy: 'active-passive',
        clusters: [
          { name: 'eu-central', role: 'active', weight: 100, replicas: 3 },
          { name: 'eu-west', role: 'passive', weight: 0, replicas: 2 },
          { name: 'us-east', role: 'passive', weight: 0, replicas: 1 },
        ],
      }),
    ).toEqual({ 'eu-central': 2, 'eu-west': 2, 'us-east': 1 });
  });

  it('refuses member ids above 255', () => {
    expect(() =>
      generateManifests(
        {
          ...base,
          clusters: [
            {
              name: 'eu-central',
              role: 'active',
              weight: 100,
              replicas: 3,
              ordinalsStart: 254,
            },
          ],
        },
        demoClusters,
      ),
    ).toThrow(
      "clusters[0].ordinalsStart: eu-central's pods reach ordinal 256, but a MongoDB member id (the ordinal) is at most 255; start eu-central's ordinals at 253 or lower",
    );
  });
});
