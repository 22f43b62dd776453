import { EntityContext } from '@multicluster/backstage-plugin-statefulsets-node';
import { mirrorMakerRoles, readMirrorMakerRoles } from './mirrorMakerRoles';

const sts = (name: string, start: number, command?: string[]) => ({
  apiVersion: 'apps/v1',
  kind: 'StatefulSet',
  metadata: { name, namespace: 'databases' },
  spec: {
    replicas: 2,
    ordinals: { start },
    template: { spec: { containers: [{ name: 'c', command }] } },
  },
});

const context = {
  entityRef: 'component:default/events-kafka',
  annotations: { 'backstage.io/kubernetes-id': 'events-kafka' },
  policy: { engine: 'kafka' },
  now: 0,
  clusters: [
    {
      cluster: { name: 'eu-central' },
      objects: { statefulSets: [sts('events-kafka', 0)] },
    },
    {
      cluster: { name: 'us-east' },
      objects: {
        statefulSets: [
          sts('events-kafka', 20),
          sts('events-kafka-mirrormaker2', 30, [
            '/opt/kafka/bin/connect-mirror-maker.sh',
          ]),
        ],
      },
    },
  ],
} as unknown as EntityContext;

const sample = (source: string, target: string, id = 'events-kafka') => ({
  labels: { source, target, kubernetes_id: id, namespace: 'databases' },
  value: 10,
});

describe('Kafka roles from MirrorMaker 2', () => {
  it('makes the cluster a flow mirrors into passive and its source active', () => {
    expect(
      mirrorMakerRoles(context, [sample('eu-central', 'us-east')]),
    ).toEqual([
      {
        cluster: 'eu-central',
        namespace: 'databases',
        workload: 'events-kafka',
        source: 'mirrormaker2',
        pods: { 'events-kafka-0': 'primary', 'events-kafka-1': 'primary' },
      },
      {
        cluster: 'us-east',
        namespace: 'databases',
        workload: 'events-kafka',
        source: 'mirrormaker2',
        pods: { 'events-kafka-20': 'replica', 'events-kafka-21': 'replica' },
      },
    ]);
  });

  it("follows a reversed flow and ignores another entity's", () => {
    const readings = mirrorMakerRoles(context, [
      sample('us-east', 'eu-central'),
      sample('eu-central', 'us-east', 'other-kafka'),
    ]);
    expect(
      readings.map(r => [
        r.cluster,
        r.pods[`events-kafka-${r.cluster === 'us-east' ? 20 : 0}`],
      ]),
    ).toEqual([
      ['eu-central', 'replica'],
      ['us-east', 'primary'],
    ]);
  });

  it('reads nothing while no flow reports', async () => {
    const queries: string[] = [];
    const readings = await readMirrorMakerRoles(
      {
        readFreshSamples: async q => {
          queries.push(q);
          return [];
        },
      },
      context,
    );
    expect(readings).toEqual([]);
    expect(queries).toEqual([
      'kafka_connect_mirror_mirrorsourceconnector_record_count{namespace="databases"}',
    ]);
  });
});
