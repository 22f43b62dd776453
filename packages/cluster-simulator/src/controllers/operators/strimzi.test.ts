// Drives the Strimzi controller against the in-memory fake clusters with the
// demo world's clickstream Kafka, checks those resources against Strimzi's
// upstream CRDs, and runs the demo world to see them reach their status.
import fs from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { type CustomResourceDefinition, validateAgainstCrd } from '../../crds';
import { eventually, startTestSimulator } from '../../testing/testWorld';
import { loadWorld } from '../../world';
import {
  renderMetrics,
  SIM_ENGINE,
  SIM_LAG_SECONDS,
  SIM_LAG_SOURCE,
} from '../metrics';
import { FakeWorld } from '../testing';
import type { KubeObject } from '../types';
import {
  assignNodeIds,
  bootstrapAddresses,
  externalBootstrapHost,
  PODSET_API,
  STRIMZI_API,
  strimziController,
} from './strimzi';
import { upstreamSchemasDir } from '../../testing/upstreamSchemas';

const NS = 'databases';
const repoRoot = path.join(
  path.dirname(require.resolve('@multicluster/cluster-simulator/package.json')),
  '..',
  '..',
);
const worldFile = path.join(repoRoot, 'examples', 'world', 'world.yaml');
const demoFile = (cluster: string) =>
  path.join(repoRoot, 'examples', 'world', cluster, 'clickstream-kafka.yaml');
const upstream = upstreamSchemasDir();

function readDocs(file: string): KubeObject[] {
  return parseAllDocuments(fs.readFileSync(file, 'utf8'))
    .map(d => d.toJS() as KubeObject)
    .filter(Boolean);
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
  for (const cluster of ['eu-central', 'us-east']) {
    for (const obj of readDocs(demoFile(cluster))) {
      world.cluster(cluster).create(obj);
    }
  }
  const controllers = [strimziController()];
  world.reconcile(controllers, 2);
  const get = (cluster: string, kind: string, name: string) =>
    world.cluster(cluster).get(STRIMZI_API, kind, NS, name)!;
  const names = (cluster: string, apiVersion: string, kind: string) =>
    world
      .cluster(cluster)
      .list(apiVersion, kind, NS)
      .map(o => o.metadata.name)
      .sort();
  return { world, controllers, get, names };
}

const mm2Connector = (mm2: KubeObject, suffix: string) =>
  mm2.status.connectors.find((c: any) => c.name.endsWith(suffix));

describe('strimziController', () => {
  it('runs each node pool as a pod set with pods, claims and Services named as Strimzi names them', () => {
    const { world, names } = setup();
    expect(names('eu-central', PODSET_API, 'StrimziPodSet')).toEqual([
      'clickstream-brokers',
      'clickstream-controllers',
    ]);
    // The pools sort by name, so brokers take the lowest node ids.
    expect(names('eu-central', 'v1', 'Pod')).toEqual([
      'clickstream-brokers-0',
      'clickstream-brokers-1',
      'clickstream-brokers-2',
      'clickstream-controllers-3',
      'clickstream-controllers-4',
      'clickstream-controllers-5',
    ]);
    expect(names('eu-central', 'v1', 'PersistentVolumeClaim')).toEqual([
      'data-0-clickstream-brokers-0',
      'data-0-clickstream-brokers-1',
      'data-0-clickstream-brokers-2',
      'data-clickstream-controllers-3',
      'data-clickstream-controllers-4',
      'data-clickstream-controllers-5',
    ]);
    expect(names('eu-central', 'v1', 'Service')).toEqual([
      'clickstream-kafka-bootstrap',
      'clickstream-kafka-brokers',
      'clickstream-kafka-external-bootstrap',
    ]);
    const api = world.cluster('eu-central');
    const pod = api.get('v1', 'Pod', NS, 'clickstream-brokers-0')!;
    expect(pod.metadata.labels).toMatchObject({
      'strimzi.io/cluster': 'clickstream',
      'strimzi.io/kind': 'Kafka',
      'strimzi.io/name': 'clickstream-kafka',
      'strimzi.io/pool-name': 'brokers',
      'strimzi.io/broker-role': 'true',
      'strimzi.io/controller-role': 'false',
      // The Kafka's own labels are propagated.
      'backstage.io/owner': 'database-platform',
    });
    expect(pod.metadata.ownerReferences).toEqual([
      expect.objectContaining({
        apiVersion: PODSET_API,
        kind: 'StrimziPodSet',
        name: 'clickstream-brokers',
        controller: true,
      }),
    ]);
    expect(pod.spec.containers[0].image).toBe(
      'quay.io/strimzi/kafka:1.2.0-kafka-4.1.0',
    );
    expect(pod.spec.volumes).toEqual([
      {
        name: 'data-0',
        persistentVolumeClaim: { claimName: 'data-0-clickstream-brokers-0' },
      },
    ]);
    const set = api.get(
      PODSET_API,
      'StrimziPodSet',
      NS,
      'clickstream-brokers',
    )!;
    expect(set.metadata.ownerReferences?.[0]).toMatchObject({
      kind: 'Kafka',
      name: 'clickstream',
    });
    // deleteClaim: false, so the claims outlive the Kafka.
    const claim = api.get(
      'v1',
      'PersistentVolumeClaim',
      NS,
      'data-clickstream-controllers-3',
    )!;
    expect(claim.metadata.ownerReferences).toBeUndefined();
    expect(claim.spec).toMatchObject({
      storageClassName: 'gp3',
      resources: { requests: { storage: '10Gi' } },
    });
    expect(claim.status.phase).toBe('Bound');
  });

  it('publishes the listeners, version, cluster id and pools in the Kafka and pool status', () => {
    const { get } = setup();
    const kafka = get('eu-central', 'Kafka', 'clickstream');
    const host = externalBootstrapHost(
      'eu-central',
      NS,
      'clickstream',
      'external',
    );
    expect(kafka.status).toMatchObject({
      conditions: [expect.objectContaining({ type: 'Ready', status: 'True' })],
      kafkaVersion: '4.1.0',
      kafkaNodePools: [{ name: 'brokers' }, { name: 'controllers' }],
      listeners: [
        {
          name: 'plain',
          bootstrapServers: 'clickstream-kafka-bootstrap.databases.svc:9092',
        },
        {
          name: 'tls',
          bootstrapServers: 'clickstream-kafka-bootstrap.databases.svc:9093',
        },
        { name: 'external', bootstrapServers: `${host}:9094` },
      ],
    });
    expect(kafka.status.clusterId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    // The demo's MirrorMaker 2 reads from the address eu-central publishes.
    expect(host).toBe(
      'clickstream-kafka-external-bootstrap-databases.eu-central.lb.simulator.local',
    );
    expect(get('eu-central', 'KafkaNodePool', 'controllers').status).toEqual(
      expect.objectContaining({
        nodeIds: [3, 4, 5],
        replicas: 3,
        roles: ['controller'],
        clusterId: kafka.status.clusterId,
      }),
    );
  });

  it('runs MirrorMaker 2 with its connectors and writes the lag record on the target Kafka', () => {
    const { world, get, names } = setup();
    expect(names('us-east', 'v1', 'Pod')).toEqual(
      expect.arrayContaining([
        'clickstream-mirror-mirrormaker2-0',
        'clickstream-mirror-mirrormaker2-1',
      ]),
    );
    const mmPod = world
      .cluster('us-east')
      .get('v1', 'Pod', NS, 'clickstream-mirror-mirrormaker2-0')!;
    expect(mmPod.metadata.labels).toMatchObject({
      'strimzi.io/cluster': 'clickstream-mirror',
      'strimzi.io/kind': 'KafkaMirrorMaker2',
      'strimzi.io/name': 'clickstream-mirror-mirrormaker2',
      'backstage.io/owner': 'database-platform',
    });
    const mm2 = get('us-east', 'KafkaMirrorMaker2', 'clickstream-mirror');
    expect(mm2.status.conditions[0]).toMatchObject({
      type: 'Ready',
      status: 'True',
    });
    expect(
      mm2.status.connectors.map((c: any) => [c.name, c.connector.state]),
    ).toEqual([
      ['eu-central->us-east.MirrorSourceConnector', 'RUNNING'],
      ['eu-central->us-east.MirrorCheckpointConnector', 'RUNNING'],
    ]);
    const target = get('us-east', 'Kafka', 'clickstream');
    expect(target.metadata.annotations).toMatchObject({
      [SIM_LAG_SOURCE]: 'eu-central',
      [SIM_ENGINE]: 'kafka',
    });
    expect(
      get('eu-central', 'Kafka', 'clickstream').metadata.annotations?.[
        SIM_LAG_SOURCE
      ],
    ).toBeUndefined();
    // The series the portal's Prometheus lag query for kafka asks for: the
    // link's target cluster, the namespace and the target Kafka's name.
    expect(renderMetrics('us-east', [target])).toMatch(
      /^kafka_connect_mirror_mirrorsourceconnector_replication_latency_ms\{namespace="databases",statefulset="clickstream",source="eu-central",cluster="us-east"\} [\d.]+$/m,
    );
  });

  it('grows the lag while the link is cut and while the source connector is paused', () => {
    const { world, controllers, get } = setup();
    const lag = () =>
      Number(
        get('us-east', 'Kafka', 'clickstream').metadata.annotations![
          SIM_LAG_SECONDS
        ],
      );
    world.advance(2000);
    world.reconcile(controllers);
    expect(lag()).toBeLessThan(2);
    world.partition('eu-central', 'us-east');
    world.advance(10_000);
    world.reconcile(controllers);
    world.advance(10_000);
    world.reconcile(controllers);
    expect(lag()).toBeGreaterThanOrEqual(20);
    world.heal();
    world.advance(60_000);
    world.reconcile(controllers);
    expect(lag()).toBeLessThan(2);
    // A source cluster that is down sends nothing either.
    world.down.add('eu-central');
    world.advance(10_000);
    world.reconcile(controllers);
    expect(lag()).toBeGreaterThanOrEqual(10);
    world.heal();
    world.advance(60_000);
    world.reconcile(controllers);
    expect(lag()).toBeLessThan(2);

    const mm2 = get('us-east', 'KafkaMirrorMaker2', 'clickstream-mirror');
    mm2.spec.mirrors[0].sourceConnector.state = 'paused';
    world.cluster('us-east').update(mm2);
    world.advance(2000);
    world.reconcile(controllers);
    world.advance(15_000);
    world.reconcile(controllers);
    expect(lag()).toBeGreaterThanOrEqual(15);
    const paused = get('us-east', 'KafkaMirrorMaker2', 'clickstream-mirror');
    expect(mm2Connector(paused, 'MirrorSourceConnector').connector.state).toBe(
      'PAUSED',
    );
  });

  it('fails the connectors of a source address no Kafka publishes', () => {
    const { world, controllers, get } = setup();
    const mm2 = get('us-east', 'KafkaMirrorMaker2', 'clickstream-mirror');
    mm2.spec.mirrors[0].source.bootstrapServers = 'nowhere.example:9094';
    world.cluster('us-east').update(mm2);
    world.reconcile(controllers);
    const failed = get('us-east', 'KafkaMirrorMaker2', 'clickstream-mirror');
    expect(mm2Connector(failed, 'MirrorSourceConnector').connector.state).toBe(
      'FAILED',
    );
    // No flow into the Kafka is known any more: its lag record goes.
    expect(
      get('us-east', 'Kafka', 'clickstream').metadata.annotations?.[
        SIM_LAG_SOURCE
      ],
    ).toBeUndefined();
  });

  it('scales a node pool down from its highest node id and keeps the claims', () => {
    const { world, controllers, get, names } = setup();
    const pool = get('eu-central', 'KafkaNodePool', 'brokers');
    pool.spec.replicas = 2;
    world.cluster('eu-central').update(pool);
    world.reconcile(controllers);
    expect(
      names('eu-central', 'v1', 'Pod').filter(n => n.includes('brokers')),
    ).toEqual(['clickstream-brokers-0', 'clickstream-brokers-1']);
    expect(names('eu-central', 'v1', 'PersistentVolumeClaim')).toContain(
      'data-0-clickstream-brokers-2',
    );
    expect(
      get('eu-central', 'KafkaNodePool', 'brokers').status.nodeIds,
    ).toEqual([0, 1]);
  });
});

describe('strimziController with deleteClaim', () => {
  it('makes the Kafka own the claims and deletes those of removed nodes', () => {
    const { world, controllers, get, names } = setup();
    const pool = get('eu-central', 'KafkaNodePool', 'controllers');
    pool.spec.storage.deleteClaim = true;
    world.cluster('eu-central').update(pool);
    world.reconcile(controllers);
    const kept = world
      .cluster('eu-central')
      .get(
        'v1',
        'PersistentVolumeClaim',
        NS,
        'data-clickstream-controllers-3',
      )!;
    expect(kept.metadata.annotations?.['strimzi.io/delete-claim']).toBe('true');
    expect(kept.metadata.ownerReferences?.[0]).toMatchObject({
      kind: 'Kafka',
      name: 'clickstream',
    });
    const scaled = get('eu-central', 'KafkaNodePool', 'controllers');
    scaled.spec.replicas = 1;
    world.cluster('eu-central').update(scaled);
    world.reconcile(controllers);
    expect(
      names('eu-central', 'v1', 'PersistentVolumeClaim').filter(c =>
        c.includes('controllers'),
      ),
    ).toEqual(['data-clickstream-controllers-3']);
  });
});

describe('assignNodeIds', () => {
  const pool = (name: string, replicas: number, nodeIds?: number[]) =>
    ({
      apiVersion: STRIMZI_API,
      kind: 'KafkaNodePool',
      metadata: { name },
      spec: { replicas },
      ...(nodeIds ? { status: { nodeIds } } : {}),
    } as KubeObject);

  it('keeps the ids a pool holds and gives new nodes the lowest free ones', () => {
    const ids = assignNodeIds([pool('a', 3, [4, 5, 6]), pool('b', 2)]);
    expect(ids.get('a')).toEqual([4, 5, 6]);
    expect(ids.get('b')).toEqual([0, 1]);
  });
});

describe('bootstrapAddresses', () => {
  it('makes in-cluster names whole so short and long forms compare equal', () => {
    expect(
      bootstrapAddresses(
        'k-kafka-bootstrap:9093, k-kafka-bootstrap.ns:9093',
        'ns',
      ),
    ).toEqual([
      'k-kafka-bootstrap.ns.svc:9093',
      'k-kafka-bootstrap.ns.svc:9093',
    ]);
    expect(
      bootstrapAddresses('k-kafka-bootstrap.ns.svc.cluster.local:9092', 'x'),
    ).toEqual(['k-kafka-bootstrap.ns.svc:9092']);
  });
});

describe('the demo world clickstream Kafka', () => {
  const upstreamCrds: CustomResourceDefinition[] = [
    '040-Crd-kafka.yaml',
    '045-Crd-kafkanodepool.yaml',
    '048-Crd-kafkamirrormaker2.yaml',
  ].map(
    f =>
      readDocs(
        path.join(upstream, 'strimzi', f),
      )[0] as unknown as CustomResourceDefinition,
  );

  it('validates every Strimzi resource against the upstream CRD schemas', () => {
    const resources = ['eu-central', 'us-east'].flatMap(c =>
      readDocs(demoFile(c)).filter(o => o.apiVersion === STRIMZI_API),
    );
    expect(resources.map(r => r.kind).sort()).toEqual([
      'Kafka',
      'Kafka',
      'KafkaMirrorMaker2',
      'KafkaNodePool',
      'KafkaNodePool',
      'KafkaNodePool',
      'KafkaNodePool',
    ]);
    for (const r of resources) {
      expect([
        r.kind,
        r.metadata.name,
        validateAgainstCrd(r, upstreamCrds),
      ]).toEqual([r.kind, r.metadata.name, []]);
    }
  });

  it('carries no annotations of the product and the owner label on Kafka and MirrorMaker 2', () => {
    for (const c of ['eu-central', 'us-east']) {
      for (const r of readDocs(demoFile(c))) {
        expect(JSON.stringify(r)).not.toContain('multicluster-statefulsets/');
        expect(
          r.metadata.labels?.['backstage.io/kubernetes-id'],
        ).toBeUndefined();
      }
    }
    const owned = ['eu-central', 'us-east'].flatMap(c =>
      readDocs(demoFile(c)).filter(
        r => r.kind === 'Kafka' || r.kind === 'KafkaMirrorMaker2',
      ),
    );
    expect(owned).toHaveLength(3);
    expect(owned.map(r => r.metadata.labels?.['backstage.io/owner'])).toEqual([
      'database-platform',
      'database-platform',
      'database-platform',
    ]);
  });

  it('reaches, in the simulator, the status the portal reads', async () => {
    const sim = await startTestSimulator(loadWorld(worldFile));
    try {
      const store = (c: string) => sim.stores.get(c)!;
      const kafka = (c: string) =>
        store(c).get(STRIMZI_API, 'Kafka', NS, 'clickstream');
      const mm2 = () =>
        store('us-east').get(
          STRIMZI_API,
          'KafkaMirrorMaker2',
          NS,
          'clickstream-mirror',
        );
      const settled = () =>
        kafka('eu-central')?.status?.conditions?.[0]?.status === 'True' &&
        kafka('us-east')?.metadata.annotations?.[SIM_LAG_SOURCE] ===
          'eu-central' &&
        mm2()?.status?.connectors?.[0]?.connector?.state === 'RUNNING';
      await eventually(settled, 20_000).catch(() => undefined);
      expect(kafka('us-east')?.metadata.annotations?.[SIM_LAG_SOURCE]).toBe(
        'eu-central',
      );
      expect(mm2()?.status.conditions[0].status).toBe('True');
      const external = kafka('eu-central')!.status.listeners.find(
        (l: any) => l.name === 'external',
      );
      expect(mm2()!.spec.mirrors[0].source.bootstrapServers).toBe(
        external.bootstrapServers,
      );
      const pods = store('eu-central')
        .list('v1', 'Pod', NS)
        .filter(
          p => p.metadata.labels?.['strimzi.io/cluster'] === 'clickstream',
        );
      expect(pods).toHaveLength(6);
      // us-east's /metrics has the series the portal's kafka lag query asks
      // for: the link's target cluster, the namespace and the Kafka's name.
      const usEast = sim.clusters.find(c => c.name === 'us-east')!;
      const metrics = await fetch(`${usEast.url}/metrics`, {
        headers: { authorization: `Bearer ${usEast.token}` },
      }).then(r => r.text());
      expect(metrics).toMatch(
        /^kafka_connect_mirror_mirrorsourceconnector_replication_latency_ms\{namespace="databases",statefulset="clickstream",source="eu-central",cluster="us-east"\} [\d.]+$/m,
      );
    } finally {
      await sim.stop();
    }
  }, 30_000);
});
