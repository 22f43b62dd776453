/*
 * A Zalando Postgres Operator primary and its standby cluster in two
 * simulated clusters, read through the REST API without any of the
 * product's annotations: the demo world's `acid-analytics` files, with the
 * simulated operator installed.
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

const entity = databaseEntity('acid-analytics', 'postgresql', {
  selector: 'cluster-name=acid-analytics,application=spilo',
});

describe('a Zalando primary and standby cluster against the cluster simulator', () => {
  let sim: RunningSimulator;

  beforeAll(async () => {
    sim = await startQuietSimulator(
      demoFilesWorld({
        clusters: ['eu-west', 'us-east'],
        operators: ['zalando'],
        files: ['analytics-postgres.yaml'],
      }),
    );
  });

  afterAll(async () => {
    await sim?.stop();
  });

  it('reads roles from the operator and the standby link from eu-west to us-east', async () => {
    const zalando = 'zalando-postgres-operator';
    const expected = {
      clusters: [
        ['eu-west', 'active', [['acid-analytics', 'active', zalando, 2]]],
        ['us-east', 'passive', [['acid-analytics', 'passive', zalando, 2]]],
      ],
      links: [
        [
          'eu-west',
          'us-east',
          'acid-analytics',
          zalando,
          null,
          'lag not published by the Zalando Postgres Operator',
        ],
      ],
    };
    const body = await withBackend(sim, [entity], get =>
      bodyOnceShaped(
        get,
        topologyPath('acid-analytics'),
        topologySummary,
        expected,
      ),
    );
    expect(topologySummary(body)).toEqual(expected);
    expect(body.drift).toEqual([]);
  }, 30000);
});
