import { buildTopology } from '../buildTopology';
import { readEntityPolicy } from '../entityPolicy';
import { ClusterObjects, emptyClusterObjects, KubeObject } from '../kube';
import { keepRelatedOperatorObjects, operatorLinks } from './index';
import {
  mongodbCommunityConvention,
  mongodbCommunityStatusOf,
  mongodbServiceNameOf,
} from './mongodbCommunity';

const NS = 'databases';
const NAME = 'carts';
const NOW = Date.parse('2026-12-01T00:00:00Z');

function community(name: string, arbiters = 0): KubeObject {
  return {
    apiVersion: 'mongodbcommunity.mongodb.com/v1',
    kind: 'MongoDBCommunity',
    metadata: { name, namespace: NS },
    spec: { type: 'ReplicaSet', members: 3, arbiters, version: '8.0.4' },
    status: {
      phase: 'Running',
      currentMongoDBMembers: 3,
      currentStatefulSetReplicas: 3,
      mongoUri: `mongodb://${name}-0.${name}-svc.${NS}.svc.cluster.local:27017/?replicaSet=${name}`,
      version: '8.0.4',
    },
  };
}

function statefulSet(name: string, replicas: number, image: string) {
  const labels = { app: `${NAME}-svc` };
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name, namespace: NS, labels },
    spec: {
      replicas,
      template: {
        metadata: { labels },
        spec: { containers: [{ name: 'mongod', image }] },
      },
    },
    status: { readyReplicas: replicas, updatedReplicas: replicas },
  };
}

function side(image: string, arbiters = 0): ClusterObjects {
  const objects = emptyClusterObjects();
  objects.mongodbCommunities.push(
    community(NAME, arbiters),
    community('other'),
  );
  objects.statefulSets.push(statefulSet(NAME, 3, image));
  if (arbiters) objects.statefulSets.push(statefulSet(`${NAME}-arb`, 1, image));
  objects.pods.push(
    ...objects.statefulSets.flatMap(s =>
      Array.from(
        { length: s.spec.replicas },
        (_, i): KubeObject => ({
          metadata: {
            name: `${s.metadata.name}-${i}`,
            namespace: NS,
            labels: { app: `${NAME}-svc` },
            ownerReferences: [{ kind: 'StatefulSet', name: s.metadata.name }],
          },
          status: { phase: 'Running' },
        }),
      ),
    ),
  );
  return objects;
}

function world() {
  return {
    'eu-central': side(
      'quay.io/mongodb/mongodb-community-server:8.0.4-ubi8',
      1,
    ),
    'eu-west': side('quay.io/mongodb/mongodb-community-server:8.0.3-ubi8'),
  };
}

describe('mongodbCommunityConvention', () => {
  it('says the operator runs the members and arbiters, without a role between clusters', () => {
    const objects = world()['eu-central'];
    const [members, arbiters] = objects.statefulSets;
    expect(mongodbCommunityConvention.roleOf!(members, objects)).toEqual({
      role: 'unknown',
      source: 'mongodb-community',
    });
    expect(mongodbCommunityConvention.roleOf!(arbiters, objects)).toEqual({
      role: 'unknown',
      source: 'mongodb-community',
      podRole: 'arbiter',
    });
    expect(
      mongodbCommunityConvention.roleOf!(
        { metadata: { name: NAME, namespace: NS, labels: { app: 'x' } } },
        objects,
      ),
    ).toBeUndefined();
  });

  it('selects the pods by the Service name they carry', () => {
    expect(mongodbCommunityConvention.selectorOf!(community(NAME))).toBe(
      'app=carts-svc',
    );
    const renamed = community(NAME);
    renamed.spec.statefulSet = { spec: { serviceName: 'carts-rs' } };
    expect(mongodbServiceNameOf(renamed)).toBe('carts-rs');
  });

  it('reads the status the operator reports', () => {
    expect(mongodbCommunityStatusOf(community(NAME))).toEqual({
      phase: 'Running',
      members: 3,
      readyReplicas: 3,
      mongoUri:
        'mongodb://carts-0.carts-svc.databases.svc.cluster.local:27017/?replicaSet=carts',
    });
  });

  it('draws no link between clusters: the operator cannot express one', () => {
    expect(mongodbCommunityConvention.links).toBeUndefined();
    expect(operatorLinks(world(), { now: NOW, maxLagSeconds: 30 })).toEqual([]);
  });

  it('drops a MongoDBCommunity of the namespace that runs none of the pods', () => {
    const objects = world()['eu-west'];
    keepRelatedOperatorObjects(objects);
    expect(objects.mongodbCommunities.map(c => c.metadata.name)).toEqual([
      NAME,
    ]);
  });

  it('builds the topology of two separate replica sets', () => {
    const w = world();
    for (const objects of Object.values(w)) keepRelatedOperatorObjects(objects);
    const topology = buildTopology({
      entityRef: 'component:default/carts',
      policy: readEntityPolicy({
        'multicluster-statefulsets/engine': 'mongodb',
      }),
      snapshots: Object.entries(w).map(([name, objects]) => ({
        info: { name, zones: [] },
        objects,
      })),
      replication: operatorLinks(w, { now: NOW, maxLagSeconds: 30 }),
      traffic: { routing: 'none', weights: {}, warnings: [] },
      now: NOW,
    });
    expect(
      topology.clusters.map(c => [
        c.name,
        c.role,
        c.workloads.map(x => [
          x.name,
          x.role,
          x.roleSource,
          x.pods.map(p => p.role),
        ]),
      ]),
    ).toEqual([
      [
        'eu-central',
        'unknown',
        [
          [
            NAME,
            'unknown',
            'mongodb-community',
            ['unknown', 'unknown', 'unknown'],
          ],
          [`${NAME}-arb`, 'unknown', 'mongodb-community', ['arbiter']],
        ],
      ],
      [
        'eu-west',
        'unknown',
        [
          [
            NAME,
            'unknown',
            'mongodb-community',
            ['unknown', 'unknown', 'unknown'],
          ],
        ],
      ],
    ]);
    expect(topology.replication).toEqual([]);
    expect(topology.drift).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          workload: NAME,
          field: 'image[mongod]',
          values: {
            'eu-central': 'quay.io/mongodb/mongodb-community-server:8.0.4-ubi8',
            'eu-west': 'quay.io/mongodb/mongodb-community-server:8.0.3-ubi8',
          },
        }),
      ]),
    );
  });
});
