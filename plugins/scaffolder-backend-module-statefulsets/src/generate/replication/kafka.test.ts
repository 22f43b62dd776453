import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { demoClusters } from '../../__fixtures__/clusters';
import { generateManifests } from '../generateManifests';
import { podAddress } from '../naming';
import { ClusterPlacement, GenerateRequest, KubeObject } from '../types';
import { validateObject } from '../validateManifests';
import { validateRequest } from '../validateRequest';

// Kafka as a real cluster would run the generated objects: something runs
// MirrorMaker 2 where data arrives, topic copies fit the brokers, the log
// dir is not the volume root, and small quorums are never evicted.

function request(
  strategy: GenerateRequest['strategy'],
  clusters: ClusterPlacement[],
): GenerateRequest {
  return {
    name: 'events',
    namespace: 'data',
    engine: 'kafka',
    strategy,
    clusters,
    storage: { size: '20Gi' },
    routing: 'mcs',
    owner: 'group:default/dba',
  };
}

// One active cluster of three brokers, passives of two and one.
const activePassive = request('active-passive', [
  { name: 'eu-central', role: 'active', weight: 100, replicas: 3 },
  { name: 'eu-west', role: 'passive', weight: 0, replicas: 2 },
  { name: 'us-east', role: 'passive', weight: 0, replicas: 1 },
]);
const activeActive = request('active-active', [
  { name: 'eu-central', role: 'active', weight: 50, replicas: 5 },
  { name: 'eu-west', role: 'active', weight: 50, replicas: 3 },
]);

type Spec = Record<string, any>;

function generated(req: GenerateRequest) {
  const result = generateManifests(req, demoClusters);
  const find = (cluster: string, kind: string): KubeObject | undefined =>
    result.objects.find(
      o => o.path.startsWith(`clusters/${cluster}/`) && o.object.kind === kind,
    )?.object;
  return {
    result,
    configData: (cluster: string) =>
      find(cluster, 'ConfigMap')!.data as Record<string, string>,
    statefulSet: (cluster: string) => find(cluster, 'StatefulSet')!,
    deployment: (cluster: string) => find(cluster, 'Deployment'),
    budget: (cluster: string) => find(cluster, 'PodDisruptionBudget')!,
  };
}

/** `key = value` lines of a properties file. */
function properties(text: string): Record<string, string> {
  return Object.fromEntries(
    text
      .split('\n')
      .filter(l => l.includes('=') && !l.startsWith('#'))
      .map(l => l.split(/\s*=\s*/, 2) as [string, string]),
  );
}

function container(o: KubeObject): Spec {
  return (o.spec as Spec).template.spec.containers[0];
}

/** The environment of a container, each value or the ConfigMap key it reads. */
function env(o: KubeObject): Record<string, string> {
  return Object.fromEntries(
    (container(o).env as Spec[]).map(e => [
      e.name,
      e.value ?? e.valueFrom?.configMapKeyRef?.key ?? '',
    ]),
  );
}

describe('Kafka MirrorMaker 2', () => {
  it('runs in every cluster that receives data, and nowhere else', () => {
    const ap = generated(activePassive);
    expect(ap.deployment('eu-central')).toBeUndefined();
    expect(ap.deployment('eu-west')).toBeDefined();
    expect(ap.deployment('us-east')).toBeDefined();
    const aa = generated(activeActive);
    expect(aa.deployment('eu-central')).toBeDefined();
    expect(aa.deployment('eu-west')).toBeDefined();
  });

  it('runs connect-mirror-maker.sh in dedicated mode on the mounted properties, one worker at a time', () => {
    const g = generated(activePassive);
    const deployment = g.deployment('eu-west')!;
    const spec = deployment.spec as Spec;
    expect(spec.replicas).toBe(1);
    expect(spec.strategy).toEqual({ type: 'Recreate' });
    const c = container(deployment);
    expect(c.image).toBe('docker.io/apache/kafka:4.1.0');
    expect(c.command).toEqual([
      '/opt/kafka/bin/connect-mirror-maker.sh',
      '/etc/kafka/mirror/mm2.properties',
      '--clusters',
      'eu-west',
    ]);
    const mount = c.volumeMounts.find(
      (m: Spec) => m.mountPath === '/etc/kafka/mirror',
    );
    const volume = spec.template.spec.volumes.find(
      (v: Spec) => v.name === mount.name,
    );
    expect(volume.configMap).toEqual({
      name: 'events-replication',
      items: [{ key: 'mm2.properties', path: 'mm2.properties' }],
    });
    expect(g.configData('eu-west')['mm2.properties']).toContain(
      'eu-central->eu-west.enabled = true',
    );
  });

  it('pulls from the source brokers by their cross-cluster names and writes to its own cluster', () => {
    const g = generated(activePassive);
    const props = properties(g.configData('eu-west')['mm2.properties']);
    const r = validateRequest(activePassive, demoClusters);
    const source = r.clusters[0];
    expect(props['eu-central.bootstrap.servers']).toBe(
      ['events-0', 'events-1', 'events-2']
        .map(pod => `${podAddress(r, source, pod)}:9092`)
        .join(','),
    );
    expect(props['eu-west.bootstrap.servers']).toBe(
      'events-3.events-headless.data.svc.cluster.local:9092,events-4.events-headless.data.svc.cluster.local:9092',
    );
  });

  it('keeps its pods out of the brokers’ Services and budget, and changes them when the properties change', () => {
    const g = generated(activePassive);
    const deployment = g.deployment('eu-west')!;
    const podLabels = (deployment.spec as Spec).template.metadata.labels;
    const brokerSelector = (g.statefulSet('eu-west').spec as Spec).selector
      .matchLabels as Record<string, string>;
    expect(
      Object.entries(brokerSelector).every(([k, v]) => podLabels[k] === v),
    ).toBe(false);
    expect(podLabels['backstage.io/kubernetes-id']).toBeUndefined();
    expect(deployment.metadata.labels?.['backstage.io/kubernetes-id']).toBe(
      'events',
    );
    const other = generated({
      ...activePassive,
      clusters: activePassive.clusters.map(c =>
        c.name === 'eu-central' ? { ...c, replicas: 4 } : c,
      ),
    });
    const checksum = (d: KubeObject) =>
      (d.spec as Spec).template.metadata.annotations['checksum/mm2-properties'];
    expect(checksum(other.deployment('eu-west')!)).not.toBe(
      checksum(deployment),
    );
  });

  it('passes the generator’s own schema check', () => {
    const g = generated(activeActive);
    expect(validateObject(g.deployment('eu-west')!)).toEqual([]);
  });
});

describe('Kafka replication factors', () => {
  const g = generated(activePassive);

  it.each([
    ['eu-central', '3', '2'],
    ['eu-west', '2', '1'],
    ['us-east', '1', '1'],
  ])(
    '%s: topics get min(3, brokers) copies, writes need all but one',
    (cluster, factor, minIsr) => {
      expect(g.configData(cluster)['replication-factor']).toBe(factor);
      expect(g.configData(cluster)['min-insync-replicas']).toBe(minIsr);
      const e = env(g.statefulSet(cluster));
      for (const name of [
        'KAFKA_DEFAULT_REPLICATION_FACTOR',
        'KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR',
        'KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR',
      ]) {
        expect({ name, key: e[name] }).toEqual({
          name,
          key: 'replication-factor',
        });
      }
      for (const name of [
        'KAFKA_MIN_INSYNC_REPLICAS',
        'KAFKA_TRANSACTION_STATE_LOG_MIN_ISR',
      ]) {
        expect({ name, key: e[name] }).toEqual({
          name,
          key: 'min-insync-replicas',
        });
      }
    },
  );

  it.each([
    ['eu-west', '2'],
    ['us-east', '1'],
  ])(
    "%s: every topic MirrorMaker creates fits the cluster's brokers",
    (cluster, factor) => {
      const props = properties(g.configData(cluster)['mm2.properties']);
      // Offset syncs live with the other internal topics, in the target.
      expect(props['offset-syncs.topic.location']).toBe('target');
      for (const key of [
        'replication.factor',
        'checkpoints.topic.replication.factor',
        'heartbeats.topic.replication.factor',
        'offset-syncs.topic.replication.factor',
        'config.storage.replication.factor',
        'offset.storage.replication.factor',
        'status.storage.replication.factor',
      ]) {
        expect({ key, value: props[key] }).toEqual({ key, value: factor });
      }
    },
  );
});

describe('Kafka brokers', () => {
  const g = generated(activePassive);
  const sts = g.statefulSet('eu-west');

  it('keep their log dir in a directory of the volume, which the image’s user may create', () => {
    const dataMount = container(sts).volumeMounts.find(
      (m: Spec) => m.name === 'data',
    ).mountPath;
    const logDirs = env(sts).KAFKA_LOG_DIRS;
    expect(logDirs.startsWith(`${dataMount}/`)).toBe(true);
    expect(logDirs.length).toBeGreaterThan(dataMount.length + 1);
    // apache/kafka runs as uid/gid 1000; a fresh volume belongs to root.
    expect((sts.spec as Spec).template.spec.securityContext).toEqual({
      fsGroup: 1000,
    });
  });

  it("advertise each pod's cross-cluster name from naming", () => {
    const r = validateRequest(activePassive, demoClusters);
    const hosts = g.configData('eu-west')['advertised-hosts'];
    expect(hosts).toBe(
      ['events-3', 'events-4']
        .map(pod => `${pod}=${podAddress(r, r.clusters[1], pod)}\n`)
        .join(''),
    );
    const script = container(sts).command[2] as string;
    expect(script).toContain('/etc/kafka/multicluster/advertised-hosts');
    expect(script).toContain('KAFKA_ADVERTISED_LISTENERS=PLAINTEXT://$host:');
  });
});

describe('the broker start script', () => {
  const g = generated(activePassive);
  const script = container(g.statefulSet('eu-west')).command[2] as string;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kafka-start-'));
  fs.writeFileSync(
    path.join(dir, 'advertised-hosts'),
    g.configData('eu-west')['advertised-hosts'],
  );
  // The image's entrypoint is replaced by one that prints what it got.
  const runnable = script
    .replaceAll('/etc/kafka/multicluster', dir)
    .replace(
      'exec /etc/kafka/docker/run',
      'echo "$KAFKA_NODE_ID $KAFKA_ADVERTISED_LISTENERS"',
    );
  const run = (pod: string, index: string) =>
    execFileSync('sh', ['-c', runnable], {
      env: { PATH: process.env.PATH, POD_NAME: pod, POD_INDEX: index },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
      .toString()
      .trim();

  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("advertises the pod's own cross-cluster name with its ordinal as node id", () => {
    const r = validateRequest(activePassive, demoClusters);
    expect(run('events-4', '4')).toBe(
      `4 PLAINTEXT://${podAddress(r, r.clusters[1], 'events-4')}:9092`,
    );
  });

  it('refuses to start a pod the ConfigMap does not know, saying so', () => {
    expect(() => run('events-40', '40')).toThrow(
      /no advertised host for events-40/,
    );
  });
});

describe('Kafka disruption budgets', () => {
  it.each([
    ['active-passive', 'eu-central', 1],
    ['active-passive', 'eu-west', 0],
    ['active-passive', 'us-east', 0],
    // Five voters survive two losses, but a partition of three copies with
    // two in sync survives one.
    ['active-active', 'eu-central', 1],
    ['active-active', 'eu-west', 1],
  ] as const)(
    '%s: %s lets %d broker(s) go at once',
    (strategy, cluster, max) => {
      const req = strategy === 'active-active' ? activeActive : activePassive;
      const budget = generated(req).budget(cluster);
      expect((budget.spec as Spec).maxUnavailable).toBe(max);
    },
  );

  it('warns about every cluster whose quorum tolerates no failure', () => {
    const warnings = generated(activePassive).result.warnings.filter(w =>
      w.startsWith('kafka:'),
    );
    expect(warnings).toEqual([
      expect.stringMatching(
        /^kafka: cluster eu-west has 2 KRaft voter\(s\), so its quorum tolerates no failure/,
      ),
      expect.stringMatching(/^kafka: cluster us-east has 1 KRaft voter\(s\)/),
    ]);
    expect(
      generated(activeActive).result.warnings.filter(w =>
        w.startsWith('kafka:'),
      ),
    ).toEqual([]);
  });
});
