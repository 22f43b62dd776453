// Drives the CloudNativePG controller against the in-memory fake clusters.
import { cnpgController, decodeDemotionToken, PHASE_FENCED } from './cnpg';
import { FakeWorld } from './testing';
import type { KubeObject } from './types';

const API = 'postgresql.cnpg.io/v1';
const NS = 'databases';

function cnpgCluster(
  self: string,
  primary: string,
  source: string,
): KubeObject {
  return {
    apiVersion: API,
    kind: 'Cluster',
    metadata: {
      name: 'billing-postgres',
      namespace: NS,
      labels: { 'backstage.io/kubernetes-id': 'billing-postgres' },
      annotations: {
        'multicluster-statefulsets/role':
          self === primary ? 'active' : 'passive',
      },
    },
    spec: {
      instances: 3,
      imageName: 'ghcr.io/cloudnative-pg/postgresql:17',
      storage: { size: '20Gi', storageClass: 'gp3' },
      inheritedMetadata: {
        labels: { 'backstage.io/kubernetes-id': 'billing-postgres' },
      },
      replica: { self, primary, source },
    },
  };
}

function setup() {
  const world = FakeWorld.demo();
  world.ensureNamespace(NS);
  for (const cluster of world.clusters.values()) {
    for (const zone of cluster.zones) {
      cluster.create({
        apiVersion: 'v1',
        kind: 'Node',
        metadata: {
          name: `${cluster.name}-${zone}-1`,
          labels: { 'topology.kubernetes.io/zone': zone },
        },
      });
    }
  }
  world
    .cluster('eu-central')
    .create(cnpgCluster('eu-central', 'eu-central', 'eu-west'));
  world
    .cluster('eu-west')
    .create(cnpgCluster('eu-west', 'eu-central', 'eu-central'));
  const controllers = [cnpgController()];
  world.reconcile(controllers);
  const get = (cluster: string) =>
    world.cluster(cluster).get(API, 'Cluster', NS, 'billing-postgres')!;
  const pods = (cluster: string) =>
    world
      .cluster(cluster)
      .list('v1', 'Pod', NS)
      .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
  const roles = (cluster: string) =>
    pods(cluster).map(p => p.metadata.labels?.['cnpg.io/instanceRole']);
  const edit = (cluster: string, change: (c: KubeObject) => void) => {
    const c = get(cluster);
    change(c);
    world.cluster(cluster).update(c);
  };
  return { world, controllers, get, pods, roles, edit };
}

const ready = (pod: KubeObject) =>
  pod.status.conditions.some(
    (c: any) => c.type === 'Ready' && c.status === 'True',
  );

describe('cnpgController', () => {
  it('runs the instances as pods and claims and reports them in status', () => {
    const { world, get, pods, roles } = setup();
    expect(pods('eu-central').map(p => p.metadata.name)).toEqual([
      'billing-postgres-1',
      'billing-postgres-2',
      'billing-postgres-3',
    ]);
    expect(roles('eu-central')).toEqual(['primary', 'replica', 'replica']);
    expect(roles('eu-west')).toEqual(['replica', 'replica', 'replica']);
    const pod = pods('eu-central')[0];
    expect(pod.metadata.labels).toMatchObject({
      'cnpg.io/cluster': 'billing-postgres',
      role: 'primary',
      'backstage.io/kubernetes-id': 'billing-postgres',
    });
    expect(pod.spec.volumes[0].persistentVolumeClaim.claimName).toBe(
      'billing-postgres-1',
    );
    // Instances spread over the zones' nodes.
    expect(pods('eu-central').map(p => p.spec.nodeName)).toEqual([
      'eu-central-eu-central-1a-1',
      'eu-central-eu-central-1b-1',
      'eu-central-eu-central-1a-1',
    ]);
    const claims = world
      .cluster('eu-central')
      .list('v1', 'PersistentVolumeClaim', NS);
    expect(claims.map(c => [c.metadata.name, c.spec.storageClassName])).toEqual(
      [
        ['billing-postgres-1', 'gp3'],
        ['billing-postgres-2', 'gp3'],
        ['billing-postgres-3', 'gp3'],
      ],
    );
    expect(get('eu-central').status).toMatchObject({
      instances: 3,
      readyInstances: 3,
      currentPrimary: 'billing-postgres-1',
      phase: 'Cluster in healthy state',
    });
    expect(get('eu-central').status.replicationLag).toBeUndefined();
    expect(get('eu-west').status.replicationLag.source).toBe('eu-central');
  });

  it('scales the instances with spec.instances', () => {
    const { world, controllers, pods, edit, get } = setup();
    edit('eu-west', c => {
      c.spec.instances = 1;
    });
    world.reconcile(controllers);
    expect(pods('eu-west').map(p => p.metadata.name)).toEqual([
      'billing-postgres-1',
    ]);
    expect(
      world.cluster('eu-west').list('v1', 'PersistentVolumeClaim', NS),
    ).toHaveLength(1);
    expect(
      world.cluster('eu-west').list('v1', 'PersistentVolume'),
    ).toHaveLength(1);
    expect(get('eu-west').status.instances).toBe(1);
  });

  it('is idempotent once converged', () => {
    const { world, controllers } = setup();
    world.reconcile(controllers);
    const writes = world.cluster('eu-central').writes;
    world.reconcile(controllers);
    expect(world.cluster('eu-central').writes).toBe(writes);
  });

  it('fences all or listed instances and unfences them again', () => {
    const { world, controllers, get, pods, edit } = setup();
    edit('eu-central', c => {
      c.metadata.annotations!['cnpg.io/fencedInstances'] = '["*"]';
    });
    world.reconcile(controllers);
    expect(pods('eu-central').filter(ready)).toHaveLength(0);
    const fenced = get('eu-central');
    expect(fenced.status.phase).toBe(PHASE_FENCED);
    expect(fenced.status.readyInstances).toBe(0);
    expect(fenced.status.conditions).toContainEqual(
      expect.objectContaining({
        type: 'Ready',
        status: 'False',
        reason: 'Fenced',
      }),
    );
    expect(fenced.metadata.annotations!['multicluster-statefulsets/role']).toBe(
      'fenced',
    );

    edit('eu-central', c => {
      c.metadata.annotations!['cnpg.io/fencedInstances'] =
        '["billing-postgres-2"]';
    });
    world.reconcile(controllers);
    expect(pods('eu-central').map(ready)).toEqual([true, false, true]);

    edit('eu-central', c => {
      delete c.metadata.annotations!['cnpg.io/fencedInstances'];
    });
    world.reconcile(controllers);
    expect(get('eu-central').status.readyInstances).toBe(3);
    expect(get('eu-central').status.phase).toBe('Cluster in healthy state');
  });

  it('switches over with the demotion token once the new primary caught up', () => {
    const { world, controllers, get, roles, edit } = setup();
    edit('eu-central', c => {
      c.spec.replica.primary = 'eu-west';
    });
    world.advance(1000);
    world.reconcile(controllers);
    const demoted = get('eu-central');
    const token: string = demoted.status.demotionToken;
    expect(decodeDemotionToken(token)?.latestCheckpointTimelineID).toBe(1);
    expect(roles('eu-central')).toEqual(['replica', 'replica', 'replica']);
    expect(
      demoted.metadata.annotations!['multicluster-statefulsets/role'],
    ).toBe('passive');
    expect(demoted.status.replicationLag.seconds).toBe(0);

    // A token nobody issued does not promote.
    edit('eu-west', c => {
      c.spec.replica.primary = 'eu-west';
      c.spec.replica.promotionToken =
        Buffer.from('{"nope":1}').toString('base64');
    });
    world.advance(1000);
    world.reconcile(controllers);
    expect(roles('eu-west')).toEqual(['replica', 'replica', 'replica']);
    expect(get('eu-west').status.conditions).toContainEqual(
      expect.objectContaining({
        type: 'ReplicaClusterPromotion',
        status: 'False',
        reason: 'PromotionTokenMismatch',
      }),
    );

    edit('eu-west', c => {
      c.spec.replica.promotionToken = token;
    });
    world.advance(1000);
    world.reconcile(controllers, 2);
    const promoted = get('eu-west');
    expect(roles('eu-west')).toEqual(['primary', 'replica', 'replica']);
    expect(promoted.status.timelineID).toBe(2);
    expect(promoted.status.replicationLag).toBeUndefined();
    expect(
      promoted.metadata.annotations!['multicluster-statefulsets/role'],
    ).toBe('active');
    expect(promoted.status.conditions).toContainEqual(
      expect.objectContaining({
        type: 'ReplicaClusterPromotion',
        status: 'True',
      }),
    );
    expect(world.events.map(e => `${e.cluster} ${e.type} ${e.reason}`)).toEqual(
      [
        'eu-central Normal Demoted',
        'eu-west Warning PromotionTokenMismatch',
        'eu-west Normal Promoted',
      ],
    );
    // The old primary now follows the new one.
    expect(get('eu-central').metadata.annotations).toMatchObject({
      'multicluster-statefulsets/replication-source': 'eu-west',
    });
  });

  it('waits for catch-up while the source is cut off', () => {
    const { world, controllers, get, roles, edit } = setup();
    edit('eu-central', c => {
      c.spec.replica.primary = 'eu-west';
    });
    world.reconcile(controllers);
    const token = get('eu-central').status.demotionToken;
    world.partition('eu-central', 'eu-west');
    edit('eu-west', c => {
      c.spec.replica.primary = 'eu-west';
      c.spec.replica.promotionToken = token;
    });
    world.advance(3000);
    world.reconcile(controllers);
    expect(roles('eu-west')).toEqual(['replica', 'replica', 'replica']);
    expect(get('eu-west').status.conditions).toContainEqual(
      expect.objectContaining({ reason: 'WaitingForCatchUp' }),
    );
    world.heal();
    world.advance(5000);
    world.reconcile(controllers);
    expect(roles('eu-west')[0]).toBe('primary');
  });

  it('promotes without a token only when replication is disabled', () => {
    const { world, controllers, get, roles, edit } = setup();
    edit('eu-west', c => {
      c.spec.replica.primary = 'eu-west';
    });
    world.advance(1000);
    world.reconcile(controllers);
    expect(roles('eu-west')[0]).toBe('replica');
    expect(get('eu-west').status.conditions).toContainEqual(
      expect.objectContaining({ reason: 'PromotionTokenMissing' }),
    );
    expect(get('eu-west').status.phase).toBe('Waiting for user action');

    edit('eu-west', c => {
      c.spec.replica.enabled = false;
    });
    world.reconcile(controllers);
    expect(roles('eu-west')[0]).toBe('primary');
    expect(get('eu-west').status.timelineID).toBe(2);
  });

  it("follows the world's replication settings", () => {
    const { world, controllers, get } = setup();
    const context = world.context.bind(world);
    world.context = name => ({
      ...context(name),
      replication: { fixedLagSeconds: 0.75, intervalMs: 500 },
    });
    world.advance(600);
    world.reconcile(controllers);
    expect(get('eu-west').status.replicationLag.seconds).toBe(0.75);
  });

  it('keeps the lag small while streaming and grows it while partitioned', () => {
    const { world, controllers, get } = setup();
    const lag = () =>
      Number(
        get('eu-west').metadata.annotations![
          'multicluster-statefulsets/replication-lag-seconds'
        ],
      );
    world.advance(2000);
    world.reconcile(controllers);
    // Default steady-state lag: 0.2 s to 1.5 s, like the StatefulSet exporter.
    expect(lag()).toBeGreaterThanOrEqual(0.2);
    expect(lag()).toBeLessThan(1.5);
    expect(
      get('eu-west').metadata.annotations![
        'multicluster-statefulsets/replication-lag-observed-at'
      ],
    ).toBe(new Date(world.time).toISOString().replace(/\.\d+Z$/, 'Z'));

    world.partition('eu-central', 'eu-west');
    for (let i = 0; i < 10; i++) {
      world.advance(1000);
      world.reconcile(controllers);
    }
    expect(lag()).toBeGreaterThanOrEqual(10);
    expect(get('eu-west').status.replicationLag.seconds).toBe(lag());

    world.heal();
    world.advance(1000);
    world.reconcile(controllers);
    const healing = lag();
    expect(healing).toBeLessThan(10);
    world.advance(5000);
    world.reconcile(controllers);
    expect(lag()).toBeLessThan(Math.min(healing, 1.5));
    // The primary side carries no lag at all.
    expect(
      get('eu-central').metadata.annotations![
        'multicluster-statefulsets/replication-lag-seconds'
      ],
    ).toBeUndefined();
  });
});
