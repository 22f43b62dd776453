// Drives the simulated ECK operator against the in-memory fake clusters, and
// checks the demo world's Elasticsearch resources against ECK's published
// CRD and in a running simulator.
import fs from 'node:fs';
import path from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { podSpecErrors } from '../../api/podValidation';
import { type CustomResourceDefinition, validateAgainstCrd } from '../../crds';
import { eventually, startTestSimulator } from '../../testing/testWorld';
import { loadWorld } from '../../world';
import {
  SIM_ENGINE,
  SIM_LAG_OBSERVED_AT,
  SIM_LAG_SECONDS,
  SIM_LAG_SOURCE,
} from '../metrics';
import { statefulPodSpec } from '../statefulSet/createPod';
import { statefulSetController } from '../statefulSetController';
import { FakeWorld } from '../testing';
import type { KubeObject } from '../types';
import {
  CLUSTER_NAME_LABEL,
  ECK_API_VERSION,
  eckController,
  loadBalancerHostname,
} from './eck';
import { upstreamSchemasDir } from '../../testing/upstreamSchemas';

const NS = 'databases';
const NAME = 'logs';
const STS = 'logs-es-default';
const repoRoot = path.join(
  path.dirname(require.resolve('@multicluster/cluster-simulator/package.json')),
  '..',
  '..',
);
const worldFile = path.join(repoRoot, 'examples', 'world', 'world.yaml');
const demoFiles = ['eu-west', 'us-east'].map(cluster =>
  path.join(repoRoot, 'examples', 'world', cluster, 'logs-elasticsearch.yaml'),
);
const upstreamDir = upstreamSchemasDir();

function elasticsearch(config: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: ECK_API_VERSION,
    kind: 'Elasticsearch',
    metadata: { name: NAME, namespace: NS },
    spec: {
      version: '9.1.0',
      transport: { service: { spec: { type: 'LoadBalancer' } } },
      nodeSets: [{ name: 'default', count: 3, config }],
    },
  };
}

function setup() {
  const world = FakeWorld.demo();
  world.ensureNamespace(NS);
  world.cluster('eu-west').create(elasticsearch());
  world.cluster('us-east').create(
    elasticsearch({
      'cluster.remote.leader.mode': 'proxy',
      'cluster.remote.leader.proxy_address': `${loadBalancerHostname(
        'eu-west',
        NS,
        'logs-es-transport',
      )}:9300`,
    }),
  );
  const controllers = [
    eckController(),
    statefulSetController({ readinessDelayMs: 0 }),
  ];
  const settle = (rounds = 4) => {
    for (let i = 0; i < rounds; i++) {
      world.reconcile(controllers);
      world.advance(1000);
    }
  };
  settle();
  const get = (
    cluster: string,
    apiVersion: string,
    kind: string,
    name: string,
  ) => world.cluster(cluster).get(apiVersion, kind, NS, name)!;
  const es = (cluster: string) =>
    get(cluster, ECK_API_VERSION, 'Elasticsearch', NAME);
  const sts = (cluster: string) => get(cluster, 'apps/v1', 'StatefulSet', STS);
  return { world, settle, get, es, sts };
}

describe('eckController', () => {
  it('runs a StatefulSet per node set with ECK names, labels and owner', () => {
    const { sts, es } = setup();
    const s = sts('eu-west');
    const labels = {
      'common.k8s.elastic.co/type': 'elasticsearch',
      [CLUSTER_NAME_LABEL]: NAME,
      'elasticsearch.k8s.elastic.co/statefulset-name': STS,
      'elasticsearch.k8s.elastic.co/version': '9.1.0',
    };
    expect(s.metadata.labels).toEqual(labels);
    expect(s.spec.template.metadata.labels).toMatchObject(labels);
    expect(s.spec.selector.matchLabels).toEqual({
      [CLUSTER_NAME_LABEL]: NAME,
      'elasticsearch.k8s.elastic.co/statefulset-name': STS,
    });
    expect(s.metadata.ownerReferences).toEqual([
      {
        apiVersion: ECK_API_VERSION,
        kind: 'Elasticsearch',
        name: NAME,
        uid: es('eu-west').metadata.uid,
        controller: true,
        blockOwnerDeletion: true,
      },
    ]);
    expect(s.spec.serviceName).toBe(STS);
    expect(s.spec.replicas).toBe(3);
    const [container] = s.spec.template.spec.containers;
    expect(container.name).toBe('elasticsearch');
    expect(container.image).toBe(
      'docker.elastic.co/elasticsearch/elasticsearch:9.1.0',
    );
    for (const port of container.ports) {
      expect(port.name.length).toBeLessThanOrEqual(15);
    }
    expect(
      s.spec.volumeClaimTemplates.map((t: any) => t.metadata.name),
    ).toEqual(['elasticsearch-data']);
  });

  it('gets its pods created from the StatefulSet, valid for the API server', () => {
    const { world, sts } = setup();
    const pods = world
      .cluster('eu-west')
      .list('v1', 'Pod', NS)
      .filter(p => p.metadata.labels?.[CLUSTER_NAME_LABEL] === NAME);
    expect(pods.map(p => p.metadata.name).sort()).toEqual([
      `${STS}-0`,
      `${STS}-1`,
      `${STS}-2`,
    ]);
    expect(podSpecErrors(statefulPodSpec(sts('us-east'), 0))).toEqual([]);
  });

  it('creates the http, internal-http, transport and node-set Services', () => {
    const { world, get } = setup();
    const services = world
      .cluster('eu-west')
      .list('v1', 'Service', NS)
      .map(s => [s.metadata.name, s.spec.type, s.spec.clusterIP])
      .sort();
    expect(services).toEqual([
      [STS, 'ClusterIP', 'None'],
      ['logs-es-http', 'ClusterIP', undefined],
      ['logs-es-internal-http', 'ClusterIP', undefined],
      ['logs-es-transport', 'LoadBalancer', undefined],
    ]);
    const transport = get('eu-west', 'v1', 'Service', 'logs-es-transport');
    expect(transport.metadata.labels?.[CLUSTER_NAME_LABEL]).toBe(NAME);
    expect(transport.spec.ports).toEqual([
      expect.objectContaining({ name: 'tcp-transport', port: 9300 }),
    ]);
    expect(transport.status.loadBalancer.ingress).toEqual([
      { hostname: 'logs-es-transport.databases.eu-west.elb.simulator.local' },
    ]);
  });

  it('keeps the transport Service headless without a service template', () => {
    const world = FakeWorld.demo();
    world.ensureNamespace(NS);
    const es = elasticsearch();
    delete es.spec.transport;
    world.cluster('eu-west').create(es);
    world.reconcile([eckController()]);
    const transport = world
      .cluster('eu-west')
      .get('v1', 'Service', NS, 'logs-es-transport')!;
    expect([transport.spec.type, transport.spec.clusterIP]).toEqual([
      'ClusterIP',
      'None',
    ]);
    expect(transport.status?.loadBalancer ?? {}).toEqual({});
  });

  it('reports health, phase, nodes and version from the pods', () => {
    const world = FakeWorld.demo();
    world.ensureNamespace(NS);
    world.cluster('eu-west').create(elasticsearch());
    world.reconcile([eckController()]);
    const status = () =>
      world.cluster('eu-west').get(ECK_API_VERSION, 'Elasticsearch', NS, NAME)!
        .status;
    expect(status()).toMatchObject({
      health: 'unknown',
      phase: 'ApplyingChanges',
      availableNodes: 0,
      version: '9.1.0',
    });
    const controllers = [
      eckController(),
      statefulSetController({ readinessDelayMs: 0 }),
    ];
    for (let i = 0; i < 4; i++) {
      world.reconcile(controllers);
      world.advance(1000);
    }
    expect(status()).toMatchObject({
      health: 'green',
      phase: 'Ready',
      availableNodes: 3,
      version: '9.1.0',
      observedGeneration: 1,
    });
    expect(status().conditions.map((c: any) => [c.type, c.status])).toEqual([
      ['ReconciliationComplete', 'True'],
      ['RunningDesiredVersion', 'True'],
      ['ElasticsearchIsReachable', 'True'],
    ]);
  });

  it('keeps the lag record on the follower data StatefulSet only', () => {
    const { sts } = setup();
    const follower = sts('us-east').metadata.annotations ?? {};
    expect(follower[SIM_LAG_SOURCE]).toBe('eu-west');
    expect(follower[SIM_ENGINE]).toBe('elasticsearch');
    expect(Number(follower[SIM_LAG_SECONDS])).toBeLessThan(2);
    expect(follower[SIM_LAG_OBSERVED_AT]).toMatch(/^2026-06-01T12:00:0\dZ$/);
    expect(
      sts('eu-west').metadata.annotations?.[SIM_LAG_SOURCE],
    ).toBeUndefined();
  });

  it('grows the lag while the leader is partitioned away or down, and catches up', () => {
    const { world, settle, sts } = setup();
    const lag = () =>
      Number(sts('us-east').metadata.annotations![SIM_LAG_SECONDS]);
    world.partition('eu-west', 'us-east');
    settle(10);
    const cut = lag();
    expect(cut).toBeGreaterThan(9);
    world.heal();
    settle(10);
    expect(lag()).toBeLessThan(cut);
    world.down.add('eu-west');
    const before = lag();
    settle(5);
    expect(lag()).toBeGreaterThan(before + 4);
  });

  it('drops the lag record once the follower no longer names a remote leader', () => {
    const { world, settle, sts, es } = setup();
    const follower = es('us-east');
    follower.spec.nodeSets[0].config = {};
    world.cluster('us-east').update(follower);
    settle(2);
    expect(
      sts('us-east').metadata.annotations?.[SIM_LAG_SOURCE],
    ).toBeUndefined();
  });

  it('follows node set changes: count, version, removal', () => {
    const { world, settle, es, get } = setup();
    const leader = es('eu-west');
    leader.spec.version = '9.1.1';
    leader.spec.nodeSets = [{ name: 'hot', count: 2 }];
    world.cluster('eu-west').update(leader);
    settle(6);
    expect(
      world.cluster('eu-west').get('apps/v1', 'StatefulSet', NS, STS),
    ).toBeUndefined();
    const hot = get('eu-west', 'apps/v1', 'StatefulSet', 'logs-es-hot');
    expect(hot.spec.replicas).toBe(2);
    expect(hot.spec.template.spec.containers[0].image).toBe(
      'docker.elastic.co/elasticsearch/elasticsearch:9.1.1',
    );
    expect(es('eu-west').status).toMatchObject({
      availableNodes: 2,
      version: '9.1.1',
    });
  });
});

describe('the demo world Elasticsearch', () => {
  const crd = parse(
    fs.readFileSync(
      path.join(
        upstreamDir,
        'elastic-cloud-on-k8s',
        'elasticsearch.k8s.elastic.co_elasticsearches.yaml',
      ),
      'utf8',
    ),
  ) as CustomResourceDefinition;
  const demo = demoFiles.flatMap(file =>
    parseAllDocuments(fs.readFileSync(file, 'utf8')).map(
      d => d.toJS() as KubeObject,
    ),
  );

  it('validates against the upstream ECK CRD', () => {
    expect(demo.map(o => o.kind)).toEqual(['Elasticsearch', 'Elasticsearch']);
    for (const object of demo) {
      expect([object.metadata.name, validateAgainstCrd(object, [crd])]).toEqual(
        [object.metadata.name, []],
      );
    }
  });

  it('carries the owner label and none of the product annotations', () => {
    for (const object of demo) {
      expect(object.metadata.labels).toEqual({
        // A label value cannot hold `group:default/…`; discovery reads
        // a bare name as a group of the default namespace.
        'backstage.io/owner': 'database-platform',
      });
      expect(
        Object.keys(object.metadata.annotations ?? {}).filter(k =>
          k.startsWith('multicluster-statefulsets/'),
        ),
      ).toEqual([]);
    }
  });

  it('runs in the simulator: both sides Ready, the follower lagging eu-west', async () => {
    // The demo world with only this database's files (and the namespace),
    // so the check does not depend on the other databases' objects.
    const world = loadWorld(worldFile);
    const clusterNames = world.clusters.map(c => c.name);
    for (const c of world.clusters) {
      c.objects = c.objects.filter(
        o =>
          !clusterNames.includes(path.basename(path.dirname(o.source))) ||
          path.basename(o.source) === 'logs-elasticsearch.yaml',
      );
    }
    expect(
      world.clusters.map(c => [
        c.name,
        c.objects.filter(o => o.object.kind === 'Elasticsearch').length,
      ]),
    ).toEqual([
      ['eu-central', 0],
      ['eu-west', 1],
      ['us-east', 1],
      ['karmada', 0],
    ]);
    const sim = await startTestSimulator(world);
    try {
      const store = (c: string) => sim.stores.get(c)!;
      const status = (c: string) =>
        store(c).get(ECK_API_VERSION, 'Elasticsearch', NS, NAME)?.status;
      const lagSource = () =>
        store('us-east').get('apps/v1', 'StatefulSet', NS, STS)?.metadata
          .annotations?.[SIM_LAG_SOURCE];
      const published = () =>
        store('eu-west').get('v1', 'Service', NS, 'logs-es-transport')?.status
          ?.loadBalancer?.ingress?.[0]?.hostname;
      const summary = () => [
        status('eu-west')?.health,
        status('eu-west')?.phase,
        status('us-east')?.health,
        status('us-east')?.phase,
        status('us-east')?.availableNodes,
        lagSource(),
      ];
      const expected = ['green', 'Ready', 'green', 'Ready', 3, 'eu-west'];
      await eventually(
        () => JSON.stringify(summary()) === JSON.stringify(expected),
        15000,
      ).catch(() => undefined);
      expect(summary()).toEqual(expected);
      const followerConfig = store('us-east').get(
        ECK_API_VERSION,
        'Elasticsearch',
        NS,
        NAME,
      )!.spec.nodeSets[0].config;
      expect(followerConfig['cluster.remote.logs-eu-west.proxy_address']).toBe(
        `${published()}:9300`,
      );
      // The series the portal's Prometheus lag query for Elasticsearch reads.
      const east = sim.clusters.find(c => c.name === 'us-east')!;
      const metrics = await (
        await fetch(`${east.url}/metrics`, {
          headers: { authorization: `Bearer ${east.token}` },
        })
      ).text();
      expect(metrics).toMatch(
        /^elasticsearch_ccr_follower_lag_seconds\{namespace="databases",statefulset="logs-es-default",source="eu-west",cluster="us-east"\} \d/m,
      );
    } finally {
      await sim.stop();
    }
  }, 30000);
});
