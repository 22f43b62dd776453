import { TopologyWorkload } from '@multicluster/backstage-plugin-statefulsets-common';
import {
  ClusterWriteClient,
  failoverStepDescriber,
  FailoverSide,
  GenericStatefulSetProvider,
} from '..';
import { ElasticsearchCcrProvider } from './ElasticsearchCcrProvider';
import { esCurlCommand, esNodeOf } from './elasticsearchExec';
import { missingOperations } from './elasticsearchCcr';
import { esPeerAddress } from './elasticsearchFollow';

const workload: TopologyWorkload = {
  kind: 'StatefulSet',
  apiVersion: 'apps/v1',
  namespace: 'databases',
  name: 'search',
  role: 'passive',
  replicas: { desired: 3, ready: 3, updated: 3 },
  ordinalsStart: 20,
  pods: [],
  volumes: [],
};

describe('the curl command line', () => {
  it('takes the password from the pod environment, never inline', () => {
    expect(
      esCurlCommand(
        {
          method: 'PUT',
          path: '/products/_settings',
          body: { 'index.blocks.write': true },
        },
        { passwordFromEnv: true },
      ),
    ).toEqual([
      'sh',
      '-c',
      `curl -s -u "elastic:$ELASTIC_PASSWORD" -X PUT 'http://localhost:9200/products/_settings' '-H' 'Content-Type: application/json' '-d' '{"index.blocks.write":true}'`,
    ]);
  });

  it('runs plain curl when the container has no ELASTIC_PASSWORD (a mounted .curlrc)', () => {
    expect(
      esCurlCommand(
        { method: 'GET', path: '/_ccr/stats' },
        { passwordFromEnv: false },
      ),
    ).toEqual(['curl', '-s', '-X', 'GET', 'http://localhost:9200/_ccr/stats']);
  });

  it('refuses what the shell would rewrite', () => {
    expect(() =>
      esCurlCommand(
        {
          method: 'PUT',
          path: '/x/_ccr/follow',
          body: { leader_index: "it's" },
        },
        { passwordFromEnv: true },
      ),
    ).toThrow('Refusing to pass a request with shell quoting characters');
  });
});

describe('the node a side is called on', () => {
  const side = {
    cluster: 'us-east',
    workload,
    client: { exec: async () => ({}) },
  } as unknown as FailoverSide;
  const sts = (extra: Record<string, unknown> = {}) =>
    ({
      metadata: { name: 'search', namespace: 'databases', ...extra },
      spec: {
        ordinals: { start: 20 },
        serviceName: 'search-headless',
        template: {
          spec: {
            containers: [
              {
                name: 'es',
                image: 'docker.elastic.co/elasticsearch/elasticsearch:8.17.0',
                env: [{ name: 'ELASTIC_PASSWORD', valueFrom: {} }],
              },
            ],
          },
        },
      },
    } as any);

  it('is the first pod, with the password from the environment', () => {
    expect(esNodeOf(side, sts())).toMatchObject({
      pod: 'search-20',
      container: 'es',
      serviceName: 'search-headless',
      passwordFromEnv: true,
    });
  });

  it('is none for a StatefulSet ECK owns', () => {
    expect(
      esNodeOf(
        side,
        sts({ ownerReferences: [{ kind: 'Elasticsearch', name: 'logs' }] }),
      ),
    ).toBeUndefined();
  });
});

describe('ElasticsearchCcrProvider', () => {
  const provider = new ElasticsearchCcrProvider();
  const generic = new GenericStatefulSetProvider();

  it('words each step in REST calls, ahead of the generic provider', () => {
    const describe = failoverStepDescriber(
      [provider, generic],
      workload,
      'elasticsearch',
    )!;
    const steps = describe({
      sourceCluster: 'eu-west',
      targetCluster: 'us-east',
      sourceWorkload: { ...workload, ordinalsStart: 10 },
      targetWorkload: workload,
    });
    expect(steps.fence.join('\n')).toContain(
      'eu-west/search-10: PUT /<index>/_settings {"index.blocks.write":true}',
    );
    expect(steps.promote.join('\n')).toContain(
      'POST /<index>/_ccr/pause_follow; POST /<index>/_close; POST /<index>/_ccr/unfollow; POST /<index>/_open',
    );
    expect(steps.reattach?.join('\n')).toContain(
      'DELETE /<index> then PUT /<index>/_ccr/follow',
    );
    expect(steps.promoteWithoutSource.join('\n')).toContain('data-loss window');
    expect(steps.fenceMethod).toMatch(/^elasticsearch-ccr: /);
  });

  it('counts the operations followers lack from their last readings', () => {
    expect(
      missingOperations([
        {
          index: 'a',
          leaderMaxSeqNo: 10,
          followerCheckpoint: 7,
          readExceptions: 0,
          sinceLastReadMs: 0,
        },
        {
          index: 'b',
          leaderMaxSeqNo: 3,
          followerCheckpoint: 3,
          readExceptions: 1,
          sinceLastReadMs: 0,
        },
      ]),
    ).toBe(3);
  });

  it('reaches a new leader in the address form the topology uses', () => {
    const primary = {
      pod: 'search-20',
      namespace: 'databases',
      serviceName: 'search-headless',
      side: { cluster: 'us-east' },
    } as any;
    expect(
      esPeerAddress(
        primary,
        'eu-west',
        'search-transport.databases.eu-west.mesh.internal:9300',
      ),
    ).toBe('search-transport.databases.us-east.mesh.internal:9300');
    expect(esPeerAddress(primary, 'eu-west')).toBe(
      'search-20.us-east.search-headless.databases.svc.clusterset.local:9300',
    );
  });

  it('leaves a side it cannot exec into to the fallback provider', async () => {
    const sts = {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: {
        name: 'search',
        namespace: 'databases',
        annotations: {
          'multicluster-statefulsets/owner-entity': 'component:default/search',
          'multicluster-statefulsets/replication-lag-seconds': '4',
        },
      },
      spec: {
        template: {
          spec: {
            containers: [
              {
                name: 'es',
                image: 'docker.elastic.co/elasticsearch/elasticsearch:8.17.0',
              },
            ],
          },
        },
      },
    };
    const client: ClusterWriteClient = {
      cluster: 'us-east',
      pathOf: () => '/apis/apps/v1/namespaces/databases/statefulsets/search',
      get: async () => sts as any,
      mergePatch: async () => sts as any,
      create: async () => sts as any,
      delete: async () => undefined,
    };
    const side: FailoverSide = { cluster: 'us-east', client, workload };
    const lag = await provider.readLag(side, {
      entityRef: 'component:default/search',
      now: Date.now,
    });
    expect(lag.seconds).toBe(4);
  });
});
