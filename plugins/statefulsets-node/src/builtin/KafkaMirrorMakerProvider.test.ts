import { TopologyWorkload } from '@multicluster/backstage-plugin-statefulsets-common';
import {
  failoverStepDescriber,
  GenericStatefulSetProvider,
  KafkaMirrorMakerProvider,
} from '..';
import {
  missingRecords,
  parseEndOffsets,
  parseGroupOffsets,
  untranslatedGroups,
} from './kafkaExec';
import { aliasesOf, flowEnabled, kubePath, withFlow } from './kafkaMirrorMaker';

const MM2 = `clusters = eu-central, us-east
eu-central->us-east.enabled = true
us-east->eu-central.enabled = false
`;

describe('the Kafka tools read back', () => {
  it('reads kafka-get-offsets.sh lines, topic names with colons included', () => {
    expect(
      parseEndOffsets('orders:0:12\norders:1:7\nns:odd:0:3\n\nnoise\n'),
    ).toEqual({ orders: [12, 7], 'ns:odd': [3] });
  });

  it('reads the committed offsets of kafka-consumer-groups.sh --describe', () => {
    const out = [
      '',
      "Consumer group 'app' has no active members.",
      '',
      'GROUP TOPIC  PARTITION CURRENT-OFFSET LOG-END-OFFSET LAG CONSUMER-ID HOST CLIENT-ID',
      'app   orders 0         10             12             2   -           -    -',
      'app   orders 1         -              5              -   -           -    -',
    ].join('\n');
    expect(parseGroupOffsets(out)).toEqual({ app: { orders: [10] } });
  });

  it('counts the records and group offsets the target lacks', () => {
    expect(
      missingRecords(
        { orders: [10, 5], 'eu.checkpoints.internal': [9] },
        { orders: [7, 5] },
      ),
    ).toEqual({ records: 3, partitions: ['orders-0'] });
    expect(
      untranslatedGroups({ app: { orders: [4, 4] } }, { app: { orders: [4] } }),
    ).toEqual(['app orders-1']);
  });
});

describe('mm2.properties flows', () => {
  it('reads and rewrites a flow, adding a missing line', () => {
    expect(flowEnabled(MM2, 'eu-central', 'us-east')).toBe(true);
    expect(flowEnabled(MM2, 'us-east', 'eu-central')).toBe(false);
    const reversed = withFlow(
      withFlow(MM2, { from: 'eu-central', to: 'us-east', enabled: false }),
      { from: 'us-east', to: 'eu-central', enabled: true },
    );
    expect(reversed).toBe(`clusters = eu-central, us-east
eu-central->us-east.enabled = false
us-east->eu-central.enabled = true
`);
    expect(
      withFlow('clusters = a, b', { from: 'a', to: 'b', enabled: true }),
    ).toBe('clusters = a, b\na->b.enabled = true\n');
    expect(aliasesOf(MM2)).toEqual(['eu-central', 'us-east']);
    expect(kubePath('v1', 'configmaps', 'db', 'mm2')).toBe(
      '/api/v1/namespaces/db/configmaps/mm2',
    );
  });
});

describe('KafkaMirrorMakerProvider', () => {
  const workload: TopologyWorkload = {
    kind: 'StatefulSet',
    apiVersion: 'apps/v1',
    namespace: 'databases',
    name: 'events-kafka',
    role: 'passive',
    replicas: { desired: 3, ready: 3, updated: 3 },
    ordinalsStart: 20,
    pods: [],
    volumes: [],
  };

  it('is picked for Kafka StatefulSets and names its commands', () => {
    const describe = failoverStepDescriber(
      [new KafkaMirrorMakerProvider(), new GenericStatefulSetProvider()],
      workload,
      'kafka',
    )!;
    const steps = describe({
      sourceCluster: 'eu-central',
      targetCluster: 'us-east',
      sourceWorkload: { ...workload, ordinalsStart: 0 },
      targetWorkload: workload,
    });
    expect(steps.fence.join('\n')).toContain(
      'eu-central/events-kafka-0: /opt/kafka/bin/kafka-get-offsets.sh --bootstrap-server localhost:9092',
    );
    expect(steps.promote.join('\n')).toContain(
      'mm2.properties: eu-central->us-east.enabled = false',
    );
    expect(steps.reattach?.join('\n')).toContain(
      'mm2.properties: us-east->eu-central.enabled = true',
    );
    expect(steps.promoteWithoutSource.join('\n')).toContain('data-loss window');
    expect(
      new KafkaMirrorMakerProvider().supportsWorkload(workload, 'mysql'),
    ).toBe(false);
  });
});
