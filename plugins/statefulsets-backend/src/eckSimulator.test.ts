/*
 * An ECK Elasticsearch replicated by CCR between two simulated clusters, read
 * through the REST API without any of the product's annotations: the demo
 * world's `logs` files, with the simulated ECK operator installed.
 */
import { RunningSimulator } from '@multicluster/cluster-simulator';
import {
  bodyOnceShaped,
  databaseEntity,
  demoFilesWorld,
  startQuietSimulator,
  topologyPath,
  topologySummary,
  withBackend,
} from './__testUtils__/simulatedDatabases';

const entity = databaseEntity('logs', 'elasticsearch', {
  selector: 'elasticsearch.k8s.elastic.co/cluster-name=logs',
});

describe('an ECK Elasticsearch against the cluster simulator', () => {
  let sim: RunningSimulator;

  beforeAll(async () => {
    sim = await startQuietSimulator(
      demoFilesWorld({
        clusters: ['eu-west', 'us-east'],
        operators: ['eck'],
        files: ['logs-elasticsearch.yaml'],
      }),
    );
  });

  afterAll(async () => {
    await sim?.stop();
  });

  it('reads roles from ECK and the CCR link from eu-west to us-east', async () => {
    const expected = {
      clusters: [
        ['eu-west', 'active', [['logs-es-default', 'active', 'eck', 3]]],
        ['us-east', 'passive', [['logs-es-default', 'passive', 'eck', 3]]],
      ],
      links: [
        [
          'eu-west',
          'us-east',
          'logs-es-default',
          'eck',
          null,
          'lag not reported by ECK',
        ],
      ],
    };
    const body = await withBackend(sim, [entity], get =>
      bodyOnceShaped(get, topologyPath('logs'), topologySummary, expected),
    );
    expect(topologySummary(body)).toEqual(expected);
    expect(body.drift).toEqual([]);
  }, 30000);
});
