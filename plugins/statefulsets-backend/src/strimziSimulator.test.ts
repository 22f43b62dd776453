/*
 * The demo's Strimzi Kafka (clickstream) read through the REST API from the
 * simulated clusters: each Kafka a workload with its role from Strimzi, the
 * MirrorMaker 2 link from eu-central (whose Kafka publishes the mirror's
 * source address) to us-east, and no drift between the two Kafkas.
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

const entity = databaseEntity('clickstream-kafka', 'kafka', {
  selector: 'strimzi.io/cluster=clickstream',
});

/** The topology with each workload's kind and volume count as well. */
const summary = (body: any) =>
  topologySummary(body, w => [
    w.kind,
    w.name,
    w.role,
    w.roleSource,
    w.replicas.ready,
    w.volumes.length,
  ]);

describe('a Strimzi Kafka against the cluster simulator', () => {
  let sim: RunningSimulator;

  beforeAll(async () => {
    sim = await startQuietSimulator(
      demoFilesWorld({
        clusters: ['eu-central', 'us-east'],
        operators: ['strimzi'],
        files: ['clickstream-kafka.yaml'],
      }),
    );
  });

  afterAll(async () => {
    await sim?.stop();
  });

  it('reads roles from Strimzi and the MirrorMaker 2 link from eu-central to us-east', async () => {
    const expected = {
      clusters: [
        [
          'eu-central',
          'active',
          [['Kafka', 'clickstream', 'active', 'strimzi', 6, 6]],
        ],
        [
          'us-east',
          'passive',
          [['Kafka', 'clickstream', 'passive', 'strimzi', 6, 6]],
        ],
      ],
      links: [
        [
          'eu-central',
          'us-east',
          'clickstream',
          'strimzi',
          null,
          'lag not reported by Strimzi',
        ],
      ],
    };
    const body = await withBackend(sim, [entity], get =>
      bodyOnceShaped(get, topologyPath('clickstream-kafka'), summary, expected),
    );
    expect(summary(body)).toEqual(expected);
    expect(body.drift).toEqual([]);
  }, 30000);
});
