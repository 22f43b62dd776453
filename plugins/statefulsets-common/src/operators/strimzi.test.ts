import { buildTopology } from '../buildTopology';
import { readEntityPolicy } from '../entityPolicy';
import { ClusterObjects, emptyClusterObjects, KubeObject } from '../kube';
import {
  keepRelatedOperatorObjects,
  operatorLinks,
  operatorWorkloads,
} from './index';
import { bootstrapAddresses, strimziConvention } from './strimzi';

const NS = 'databases';
const API = 'kafka.strimzi.io/v1';
const now = Date.parse('2026-12-01T00:00:00Z');
const options = { now, maxLagSeconds: 30 };
const lbHost = (cluster: string) =>
  `clickstream-kafka-external-bootstrap-databases.${cluster}.lb.simulator.local`;

function kafka(
  cluster: string,
  opts: { name?: string; version?: string; config?: object } = {},
): KubeObject {
  const name = opts.name ?? 'clickstream';
  return {
    apiVersion: API,
    kind: 'Kafka',
    metadata: { name, namespace: NS },
    spec: {
      kafka: {
        version: opts.version ?? '4.1.0',
        listeners: [
          { name: 'tls', port: 9093, type: 'internal', tls: true },
          { name: 'external', port: 9094, type: 'loadbalancer', tls: true },
        ],
        config: opts.config ?? { 'min.insync.replicas': 2 },
      },
    },
    status: {
      conditions: [{ type: 'Ready', status: 'True' }],
      kafkaVersion: opts.version ?? '4.1.0',
      listeners: [
        {
          name: 'tls',
          addresses: [
            { host: `${name}-kafka-bootstrap.${NS}.svc`, port: 9093 },
          ],
          bootstrapServers: `${name}-kafka-bootstrap.${NS}.svc:9093`,
        },
        {
          name: 'external',
          addresses: [{ host: lbHost(cluster), port: 9094 }],
          bootstrapServers: `${lbHost(cluster)}:9094`,
        },
      ],
    },
  };
}

function pool(name: string, replicas: number, kafkaName = 'clickstream') {
  return {
    apiVersion: API,
    kind: 'KafkaNodePool',
    metadata: {
      name,
      namespace: NS,
      labels: { 'strimzi.io/cluster': kafkaName },
    },
    spec: {
      replicas,
      roles: ['broker', 'controller'],
      storage: { type: 'persistent-claim', size: '100Gi' },
    },
  } as KubeObject;
}

function pod(
  name: string,
  labels: Record<string, string>,
  opts: { image?: string; claim?: string; ready?: boolean } = {},
): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: NS, labels },
    spec: {
      containers: [
        {
          name: 'kafka',
          image: opts.image ?? 'quay.io/strimzi/kafka:1.2.0-kafka-4.1.0',
        },
      ],
      volumes: opts.claim
        ? [{ name: 'data', persistentVolumeClaim: { claimName: opts.claim } }]
        : [],
    },
    status: {
      phase: 'Running',
      conditions: [
        { type: 'Ready', status: opts.ready === false ? 'False' : 'True' },
      ],
    },
  };
}

function brokerPods(count: number, image?: string, kafkaName = 'clickstream') {
  return Array.from({ length: count }, (_, id) =>
    pod(
      `${kafkaName}-pool-${id}`,
      {
        'strimzi.io/cluster': kafkaName,
        'strimzi.io/kind': 'Kafka',
        'strimzi.io/pool-name': 'pool',
      },
      { image, claim: `data-${kafkaName}-pool-${id}` },
    ),
  );
}

function claim(name: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name, namespace: NS },
    spec: { resources: { requests: { storage: '100Gi' } } },
    status: { phase: 'Bound' },
  };
}

function mirrorMaker(
  source: string,
  connectorState = 'RUNNING',
  ready = true,
): KubeObject {
  return {
    apiVersion: API,
    kind: 'KafkaMirrorMaker2',
    metadata: { name: 'clickstream-mirror', namespace: NS },
    spec: {
      replicas: 1,
      target: {
        alias: 'us-east',
        bootstrapServers: 'clickstream-kafka-bootstrap:9093',
      },
      mirrors: [
        {
          source: { alias: 'eu-central', bootstrapServers: source },
          sourceConnector: {},
        },
      ],
    },
    status: {
      conditions: [
        ready
          ? { type: 'Ready', status: 'True' }
          : {
              type: 'Ready',
              status: 'False',
              reason: 'TimeoutException',
              message: 'timed out',
            },
      ],
      connectors: [
        {
          name: 'eu-central->us-east.MirrorSourceConnector',
          connector: { state: connectorState },
          tasks: [{ id: 0, state: connectorState }],
          type: 'source',
        },
      ],
    },
  };
}

function clusterObjects(
  parts: Partial<Record<keyof ClusterObjects, KubeObject[]>>,
): ClusterObjects {
  return { ...emptyClusterObjects(), ...parts };
}

function world(
  opts: {
    sourceVersion?: string;
    targetVersion?: string;
    connectorState?: string;
    ready?: boolean;
  } = {},
) {
  const image = (v: string) => `quay.io/strimzi/kafka:1.2.0-kafka-${v}`;
  const sourceVersion = opts.sourceVersion ?? '4.1.0';
  const targetVersion = opts.targetVersion ?? '4.1.0';
  return {
    'eu-central': clusterObjects({
      strimziKafkas: [kafka('eu-central', { version: sourceVersion })],
      strimziNodePools: [pool('pool', 3)],
      pods: brokerPods(3, image(sourceVersion)),
      persistentVolumeClaims: [0, 1, 2].map(i =>
        claim(`data-clickstream-pool-${i}`),
      ),
    }),
    'us-east': clusterObjects({
      strimziKafkas: [
        kafka('us-east', {
          version: targetVersion,
          config: { 'min.insync.replicas': 1 },
        }),
      ],
      strimziNodePools: [pool('pool', 3)],
      strimziMirrorMakers2: [
        mirrorMaker(
          `${lbHost('eu-central')}:9094`,
          opts.connectorState,
          opts.ready,
        ),
      ],
      pods: brokerPods(3, image(targetVersion)),
      persistentVolumeClaims: [0, 1, 2].map(i =>
        claim(`data-clickstream-pool-${i}`),
      ),
    }),
  };
}

describe('strimziConvention', () => {
  it('selects the pods of a Kafka by its strimzi.io/cluster label', () => {
    expect(strimziConvention.selectorOf?.(kafka('eu-central'))).toBe(
      'strimzi.io/cluster=clickstream',
    );
    expect(strimziConvention.selectorOf?.(pool('pool', 3))).toBeUndefined();
    expect(strimziConvention.engine).toBe('kafka');
  });

  it('keeps the Kafka of the entity and passes over the namespace’s other Kafkas and mirrors', () => {
    const clusters = world();
    const objects = clusters['us-east'];
    objects.strimziKafkas.push(kafka('us-east', { name: 'audit' }));
    objects.strimziNodePools.push(pool('pool', 3, 'audit'));
    objects.strimziMirrorMakers2.push({
      ...mirrorMaker(`${lbHost('eu-central')}:9094`),
      metadata: { name: 'audit-mirror', namespace: NS },
      spec: {
        target: { alias: 'x', bootstrapServers: 'audit-kafka-bootstrap:9093' },
        mirrors: [{ source: { bootstrapServers: 'elsewhere.example:9094' } }],
      },
    });
    keepRelatedOperatorObjects(objects);
    expect(objects.strimziKafkas.map(k => k.metadata.name)).toEqual([
      'clickstream',
    ]);
    // audit-mirror neither runs the entity's pods nor touches its Kafkas.
    expect(
      operatorLinks(clusters, options).map(l => [l.from, l.to, l.workload]),
    ).toEqual([['eu-central', 'us-east', 'clickstream']]);
    expect(
      strimziConvention.isRelated(objects.strimziMirrorMakers2[1], objects),
    ).toBe(false);
    expect(
      strimziConvention.isRelated(objects.strimziMirrorMakers2[0], objects),
    ).toBe(true);
    expect(
      strimziConvention.isRelated(objects.strimziNodePools[1], objects),
    ).toBe(false);
  });

  it('runs each Kafka as a workload: its pods, claims, replicas from the pools, role', () => {
    const objects = world()['us-east'];
    objects.pods[2] = brokerPods(3).map(p => ({
      ...p,
      status: {
        phase: 'Running',
        conditions: [{ type: 'Ready', status: 'False' }],
      },
    }))[2];
    const parts = {
      workloadOf: (_resource: KubeObject, pods: KubeObject[], fields: any) => ({
        ...fields,
        pods: pods.map(p => ({ name: p.metadata.name })),
        volumes: [],
      }),
    };
    const [workload] = operatorWorkloads(objects, parts);
    expect(workload).toMatchObject({
      kind: 'Kafka',
      apiVersion: 'kafka.strimzi.io/v1',
      name: 'clickstream',
      namespace: NS,
      role: 'passive',
      roleSource: 'strimzi',
      replicas: { desired: 3, ready: 2 },
      image: 'quay.io/strimzi/kafka:1.2.0-kafka-4.1.0',
      serviceName: 'clickstream-kafka-bootstrap',
      pods: [
        { name: 'clickstream-pool-0' },
        { name: 'clickstream-pool-1' },
        { name: 'clickstream-pool-2' },
      ],
    });
    const [source] = operatorWorkloads(world()['eu-central'], parts);
    expect(source).toMatchObject({ role: 'active', roleSource: 'strimzi' });
  });

  it('links the source cluster publishing the mirror’s address to the target, lag left to the metrics', () => {
    expect(operatorLinks(world(), options)).toEqual([
      {
        from: 'eu-central',
        to: 'us-east',
        workload: 'clickstream',
        provider: 'strimzi',
        lagSeconds: null,
        healthy: false,
        reason: 'lag not reported by Strimzi',
      },
    ]);
  });

  it('says why a link is unhealthy when MirrorMaker 2 or its connector is not running', () => {
    expect(
      operatorLinks(world({ connectorState: 'PAUSED' }), options)[0].reason,
    ).toBe(
      'MirrorMaker 2 connector eu-central->us-east.MirrorSourceConnector is PAUSED',
    );
    expect(operatorLinks(world({ ready: false }), options)[0].reason).toBe(
      'MirrorMaker 2 clickstream-mirror is not Ready (TimeoutException: timed out)',
    );
  });

  it('never takes another cluster’s in-cluster address for the source', () => {
    const clusters = world();
    clusters['us-east'].strimziMirrorMakers2 = [
      mirrorMaker('clickstream-kafka-bootstrap.databases.svc:9093'),
    ];
    // The .svc address is us-east's own Kafka: a mirror into itself.
    const [link] = operatorLinks(clusters, options);
    expect([link.from, link.to]).toEqual(['us-east', 'us-east']);
    // eu-central's in-cluster address means nothing in us-east.
    clusters['eu-central'].strimziKafkas.push(
      kafka('eu-central', { name: 'events' }),
    );
    clusters['us-east'].strimziMirrorMakers2 = [
      mirrorMaker('events-kafka-bootstrap.databases.svc:9093'),
    ];
    expect(operatorLinks(clusters, options)[0].reason).toBe(
      'no Kafka read publishes the source address events-kafka-bootstrap.databases.svc:9093',
    );
  });

  it('reads bootstrap lists in their short and long forms alike', () => {
    expect(
      bootstrapAddresses(
        'a-kafka-bootstrap:9092,B.ns.svc.cluster.local:9093',
        'ns',
      ),
    ).toEqual(['a-kafka-bootstrap.ns.svc:9092', 'b.ns.svc:9093']);
  });
});

describe('a Strimzi Kafka mirrored across two clusters', () => {
  const build = (clusters: Record<string, ClusterObjects>) =>
    buildTopology({
      entityRef: 'component:default/clickstream-kafka',
      policy: readEntityPolicy({ 'multicluster-statefulsets/engine': 'kafka' }),
      snapshots: Object.entries(clusters).map(([name, objects]) => ({
        info: { name, zones: [] },
        objects,
      })),
      replication: operatorLinks(clusters, options),
      traffic: { routing: 'none', weights: {}, warnings: [] },
      now,
    });

  it('shows the source active, the target passive, both read from Strimzi', () => {
    const topology = build(world());
    expect(
      topology.clusters.map(c => [
        c.name,
        c.role,
        c.workloads.map(w => [w.kind, w.name, w.roleSource, w.volumes.length]),
      ]),
    ).toEqual([
      ['eu-central', 'active', [['Kafka', 'clickstream', 'strimzi', 3]]],
      ['us-east', 'passive', [['Kafka', 'clickstream', 'strimzi', 3]]],
    ]);
    expect(topology.replication.map(l => [l.from, l.to, l.provider])).toEqual([
      ['eu-central', 'us-east', 'strimzi'],
    ]);
  });

  it('reads a mirror a failover turned around where it runs: the remote Kafka by the role written on it', () => {
    const clusters = world();
    // us-east's MirrorMaker 2 now mirrors its own Kafka into eu-central's.
    const mm2 = clusters['us-east'].strimziMirrorMakers2[0];
    mm2.spec = {
      ...mm2.spec,
      target: {
        alias: 'eu-central',
        bootstrapServers: `${lbHost('eu-central')}:9094`,
      },
      mirrors: [
        {
          source: {
            alias: 'us-east',
            bootstrapServers: 'clickstream-kafka-bootstrap:9093',
          },
          sourceConnector: {},
        },
      ],
    };
    const euKafka = clusters['eu-central'].strimziKafkas[0];
    const roles = () =>
      build(clusters).clusters.map(c => [
        c.name,
        c.role,
        c.workloads[0].roleSource ?? 'declared',
      ]);
    // Nothing in eu-central says it follows: it would look like a second primary.
    expect(roles()).toEqual([
      ['eu-central', 'active', 'strimzi'],
      ['us-east', 'active', 'strimzi'],
    ]);
    euKafka.metadata.annotations = {
      'multicluster-statefulsets/role': 'passive',
    };
    expect(roles()).toEqual([
      ['eu-central', 'passive', 'declared'],
      ['us-east', 'active', 'strimzi'],
    ]);
    expect(build(clusters).replication.map(l => [l.from, l.to])).toEqual([
      ['us-east', 'eu-central'],
    ]);
  });

  it('compares the Kafkas’ version, pools and config', () => {
    const topology = build(world({ targetVersion: '4.0.0' }));
    expect(topology.drift.map(d => [d.workload, d.field, d.values])).toEqual([
      [
        'clickstream',
        'config.min.insync.replicas',
        { 'eu-central': '2', 'us-east': '1' },
      ],
      ['clickstream', 'version', { 'eu-central': '4.1.0', 'us-east': '4.0.0' }],
    ]);
  });

  it('fails the engine-version check on a target older than its source', () => {
    const check = build(
      world({ targetVersion: '4.0.0' }),
    ).readiness.checks.find(c => c.id === 'engine-version');
    expect(check).toMatchObject({ status: 'fail' });
    expect(check?.evidence).toContain(
      'replica us-east/clickstream runs kafka 4.0.0, its primary eu-central/clickstream 4.1.0',
    );
  });
});
