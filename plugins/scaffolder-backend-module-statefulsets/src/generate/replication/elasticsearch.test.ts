import { demoClusters } from '../../__fixtures__/clusters';
import { generateManifests } from '../generateManifests';
import { ClusterPlacement, GenerateRequest, KubeObject } from '../types';
import { validateObject } from '../validateManifests';

const TLS_DIR = '/usr/share/elasticsearch/config/transport-tls';

function request(overrides: Partial<GenerateRequest> = {}): GenerateRequest {
  return {
    name: 'search-db',
    namespace: 'search',
    engine: 'elasticsearch',
    strategy: 'active-passive',
    clusters: [
      { name: 'eu-central', role: 'active', weight: 100, replicas: 3 },
      { name: 'eu-west', role: 'passive', weight: 0, replicas: 1 },
    ],
    storage: { size: '20Gi' },
    routing: 'mcs',
    owner: 'group:default/search',
    elasticsearch: {
      licence: 'enterprise',
      transportTlsSecret: 'search-transport-tls',
    },
    ...overrides,
  };
}

function generate(overrides: Partial<GenerateRequest> = {}) {
  const result = generateManifests(request(overrides), demoClusters);
  const find = (cluster: string, kind: string): KubeObject | undefined =>
    result.objects.find(
      o => o.path.startsWith(`clusters/${cluster}/`) && o.object.kind === kind,
    )?.object;
  return {
    result,
    configData: (cluster: string) =>
      find(cluster, 'ConfigMap')!.data as Record<string, string>,
    job: (cluster: string) => find(cluster, 'Job'),
    container: (cluster: string) =>
      (find(cluster, 'StatefulSet')!.spec as any).template.spec.containers[0],
    podSpec: (cluster: string) =>
      (find(cluster, 'StatefulSet')!.spec as any).template.spec,
  };
}

/** The container's plain env values by name (settings the image turns into elasticsearch.yml). */
function envValues(container: any): Record<string, string | undefined> {
  return Object.fromEntries(
    container.env.map((e: { name: string; value?: string }) => [
      e.name,
      e.value,
    ]),
  );
}

describe('Elasticsearch cross-cluster replication', () => {
  it('mounts nothing Elasticsearch never reads: no remote-cluster or auto-follow files in the nodes', () => {
    const { container, podSpec } = generate();
    for (const cluster of ['eu-central', 'eu-west']) {
      expect(
        container(cluster).volumeMounts.map((m: any) => m.mountPath),
      ).toEqual(['/usr/share/elasticsearch/data', TLS_DIR]);
      expect(podSpec(cluster).volumes.map((v: any) => v.name)).toEqual([
        'transport-tls',
      ]);
    }
  });

  it('runs a Job in the following cluster that PUTs the remote cluster and the auto-follow pattern through the API', () => {
    const { configData, job } = generate();
    expect(job('eu-central')).toBeUndefined();
    const spec = job('eu-west')!.spec as any;
    const pod = spec.template.spec;
    const script: string = pod.containers[0].command[2];
    expect(script).toContain('PUT /_cluster/settings');
    expect(script).toContain('PUT "/_ccr/auto_follow/');
    expect(pod.volumes[0].configMap.items.map((i: any) => i.key)).toEqual([
      'remote-clusters.json',
      'auto-follow.search-db-from-eu-central.json',
    ]);
    const data = configData('eu-west');
    expect(JSON.parse(data['remote-clusters.json'])).toEqual({
      persistent: {
        'cluster.remote.eu-central.mode': 'sniff',
        'cluster.remote.eu-central.seeds': [0, 1, 2].map(
          i =>
            `search-db-${i}.eu-central.search-db-headless.search.svc.clusterset.local:9300`,
        ),
      },
    });
    expect(
      JSON.parse(data['auto-follow.search-db-from-eu-central.json']),
    ).toEqual({
      remote_cluster: 'eu-central',
      leader_index_patterns: ['*'],
      leader_index_exclusion_patterns: [],
      follow_index_pattern: '{{leader_index}}',
    });
    expect(data['remote-clusters.yml']).toBeUndefined();
    expect(data['auto-follow.json']).toBeUndefined();
  });

  it("gives the Job the elastic user's password from the Secret and the cluster's own client Service", () => {
    const container = (generate().job('eu-west')!.spec as any).template.spec
      .containers[0];
    expect(container.env).toEqual([
      { name: 'ES_URL', value: 'http://search-db:9200' },
      { name: 'CCR_BODIES', value: '/etc/ccr' },
      {
        name: 'ELASTIC_PASSWORD',
        valueFrom: {
          secretKeyRef: {
            name: 'search-db-credentials',
            key: 'elastic-password',
          },
        },
      },
    ]);
  });

  it('keeps the Job out of the Services and the budget, and its name within the job-name label limit', () => {
    // The longest name the per-cluster Service `<name>-eu-central` leaves.
    const name = 'a'.repeat(52);
    const { result, job } = generate({ name });
    const jobPodLabels = (job('eu-west')!.spec as any).template.metadata.labels;
    const selectors = result.objects
      .filter(o => ['Service', 'PodDisruptionBudget'].includes(o.object.kind))
      .map(o => {
        const spec = o.object.spec as any;
        return spec.selector?.matchLabels ?? spec.selector ?? {};
      });
    for (const selector of selectors) {
      const matches = Object.entries(selector).every(
        ([k, v]) => jobPodLabels[k] === v,
      );
      expect(matches).toBe(false);
    }
    expect(job('eu-west')!.metadata.name.length).toBeLessThanOrEqual(63);
  });

  it('names the Job after its configuration, so a changed one runs anew instead of failing on an immutable Job', () => {
    const name = (overrides: Partial<GenerateRequest>) =>
      generate(overrides).job('eu-west')!.metadata.name;
    expect(name({})).toMatch(/^search-db-ccr-[0-9a-f]{6}$/);
    expect(name({})).toBe(name({}));
    expect(name({ routing: 'istio' })).not.toBe(name({}));
  });

  it('passes the Kubernetes schema of a Job', () => {
    expect(validateObject(generate().job('eu-west')!)).toEqual([]);
  });

  it('configures every active side of active-active, following the others without following their followers back', () => {
    const { configData, job } = generate({
      strategy: 'active-active',
      clusters: [
        { name: 'eu-central', role: 'active', weight: 50, replicas: 3 },
        { name: 'eu-west', role: 'active', weight: 50, replicas: 3 },
      ],
    });
    expect(job('eu-central')).toBeDefined();
    expect(job('eu-west')).toBeDefined();
    expect(
      JSON.parse(
        configData('eu-central')['auto-follow.search-db-from-eu-west.json'],
      ),
    ).toMatchObject({
      remote_cluster: 'eu-west',
      leader_index_exclusion_patterns: ['*-from-*'],
      follow_index_pattern: '{{leader_index}}-from-eu-west',
    });
  });

  it('reaches the source through one routed address in proxy mode with Istio, whose networks do not route pod IPs', () => {
    const data = generate({ routing: 'istio' }).configData('eu-west');
    expect(JSON.parse(data['remote-clusters.json'])).toEqual({
      persistent: {
        'cluster.remote.eu-central.mode': 'proxy',
        'cluster.remote.eu-central.proxy_address':
          'search-db-0.search.svc.cluster.local:9300',
      },
    });
  });
});

describe('Elasticsearch nodes', () => {
  it('turn security on with transport TLS from the platform Secret, mounted under the config directory', () => {
    const { container, podSpec } = generate();
    const env = envValues(container('eu-west'));
    expect(env).toMatchObject({
      'xpack.security.enabled': 'true',
      'xpack.security.transport.ssl.enabled': 'true',
      'xpack.security.transport.ssl.verification_mode': 'certificate',
      'xpack.security.transport.ssl.key': `${TLS_DIR}/tls.key`,
      'xpack.security.transport.ssl.certificate': `${TLS_DIR}/tls.crt`,
      'xpack.security.transport.ssl.certificate_authorities': `${TLS_DIR}/ca.crt`,
    });
    expect(podSpec('eu-west').volumes).toContainEqual({
      name: 'transport-tls',
      secret: { secretName: 'search-transport-tls' },
    });
  });

  it('start a trial licence only when the trial is chosen', () => {
    const trial = generate({
      elasticsearch: { licence: 'trial', transportTlsSecret: 'tls' },
    });
    for (const cluster of ['eu-central', 'eu-west']) {
      expect(
        envValues(trial.container(cluster))[
          'xpack.license.self_generated.type'
        ],
      ).toBe('trial');
    }
    expect(
      envValues(generate().container('eu-central'))[
        'xpack.license.self_generated.type'
      ],
    ).toBeUndefined();
  });

  it('do without mmap unless the platform sets vm.max_map_count on the nodes', () => {
    expect(
      envValues(generate().container('eu-west'))['node.store.allow_mmap'],
    ).toBe('false');
    const mmap = generate({
      elasticsearch: {
        licence: 'enterprise',
        transportTlsSecret: 'tls',
        nodesAllowMmap: true,
      },
    });
    expect(
      envValues(mmap.container('eu-west'))['node.store.allow_mmap'],
    ).toBeUndefined();
  });

  it('warn that a trial ends and that mmap is off, only when so', () => {
    const warnings = (es: GenerateRequest['elasticsearch']) =>
      generate({ elasticsearch: es }).result.warnings.filter(w =>
        w.startsWith('elasticsearch:'),
      );
    expect(warnings({ licence: 'trial', transportTlsSecret: 'tls' })).toEqual([
      expect.stringMatching(/trial licence ends after 30 days/),
      expect.stringMatching(/mmap is off.*vm\.max_map_count >= 262144/),
    ]);
    expect(
      warnings({
        licence: 'enterprise',
        transportTlsSecret: 'tls',
        nodesAllowMmap: true,
      }),
    ).toEqual([]);
  });

  it("discover only their own cluster's nodes, at local addresses, under a cluster name of their own", () => {
    const { configData } = generate();
    expect(configData('eu-central')).toMatchObject({
      'cluster-name': 'search-db-eu-central',
      'seed-hosts': [0, 1, 2]
        .map(i => `search-db-${i}.search-db-headless.search.svc.cluster.local`)
        .join(','),
      'initial-master-nodes': 'search-db-0,search-db-1,search-db-2',
    });
    expect(configData('eu-west')).toMatchObject({
      'cluster-name': 'search-db-eu-west',
      'seed-hosts': 'search-db-3.search-db-headless.search.svc.cluster.local',
      'initial-master-nodes': 'search-db-3',
    });
  });
});

describe('Elasticsearch requests the template refuses', () => {
  const twoNodes: ClusterPlacement[] = [
    { name: 'eu-central', role: 'active', weight: 100, replicas: 3 },
    { name: 'eu-west', role: 'passive', weight: 0, replicas: 2 },
  ];

  it.each([
    [
      'two master-eligible nodes in a cluster',
      { clusters: twoNodes },
      /clusters\[1\]\.replicas: eu-west would have two master-eligible Elasticsearch nodes.*lose their quorum.*choose 1 node, or 3 or more/,
    ],
    [
      'cross-cluster replication without a licence',
      { elasticsearch: { transportTlsSecret: 'tls' } },
      /elasticsearch\.licence: no licence is given; cross-cluster replication.*needs an enterprise or platinum licence \(or a 30-day trial\).*PUT _license/,
    ],
    [
      'a basic licence',
      {
        elasticsearch: {
          licence: 'basic' as any,
          transportTlsSecret: 'tls',
        },
      },
      /elasticsearch\.licence: "basic" is no licence that cross-cluster replication/,
    ],
    [
      'no transport certificates',
      { elasticsearch: { licence: 'trial' as const } },
      /elasticsearch\.transportTlsSecret: no transport certificate Secret is given.*tls\.crt, tls\.key, ca\.crt.*namespace "search" of every cluster, issued by one CA shared by all clusters/,
    ],
  ])('refuses %s, saying why and what to do', (_what, overrides, message) => {
    expect(() => generate(overrides)).toThrow(message);
  });

  it('accepts one node or three', () => {
    expect(() => generate()).not.toThrow();
  });
});
