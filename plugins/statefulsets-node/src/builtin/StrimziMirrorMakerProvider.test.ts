import { ClusterWriteClient, ExecTarget, FailoverSide } from '../failover';
import { StrimziMirrorMakerProvider } from './StrimziMirrorMakerProvider';
import { reversedSpec } from './strimziMirrorMaker';

const MM2_PATH =
  '/apis/kafka.strimzi.io/v1beta2/namespaces/databases/kafkamirrormaker2s';
const KAFKA_PATH = '/apis/kafka.strimzi.io/v1beta2/namespaces/databases/kafkas';

function mirror() {
  return {
    apiVersion: 'kafka.strimzi.io/v1beta2',
    kind: 'KafkaMirrorMaker2',
    metadata: { name: 'clickstream-mirror', namespace: 'databases' },
    spec: {
      replicas: 2,
      target: {
        alias: 'us-east',
        bootstrapServers: 'clickstream-kafka-bootstrap:9093',
        groupId: 'clickstream-mirror',
        tls: { trustedCertificates: [{ secretName: 'us-ca' }] },
      },
      mirrors: [
        {
          source: {
            alias: 'eu-central',
            bootstrapServers: 'eu.lb.example:9094',
            tls: { trustedCertificates: [{ secretName: 'eu-ca' }] },
          },
          sourceConnector: { tasksMax: 2 },
          checkpointConnector: {
            config: { 'sync.group.offsets.enabled': 'true' },
          },
        },
      ],
    },
    status: {
      connectors: [
        {
          name: 'eu-central->us-east.MirrorSourceConnector',
          connector: { state: 'RUNNING' },
        },
      ],
    },
  };
}

/** What one side's brokers hold: end offsets and group offsets. */
interface Brokers {
  ends: Record<string, number[]>;
  groups: Record<string, Record<string, number[]>>;
  /** Whether the brokers answer. */
  up: boolean;
  /** Every command exec'd, with the pod it ran in. */
  execs: Array<{ pod: string; command: string[] }>;
}

function brokers(ends: Record<string, number[]>, committed: number): Brokers {
  return {
    ends,
    groups: { app: { orders: [committed] } },
    up: true,
    execs: [],
  };
}

function brokerPod(name: string, role: 'true' | 'false') {
  return {
    metadata: {
      name,
      labels: {
        'strimzi.io/cluster': 'clickstream',
        'strimzi.io/kind': 'Kafka',
        'strimzi.io/broker-role': role,
      },
    },
    spec: {
      containers: [
        { name: 'kafka', image: 'quay.io/strimzi/kafka:1.2.0-kafka-4.1.0' },
      ],
    },
    status: { phase: 'Running' },
  };
}

/**
 * A cluster holding KafkaMirrorMaker2 resources and the clickstream Kafka
 * (a controller and two brokers), applying merge patches as the API server
 * does and answering the Kafka tools from `data`.
 */
function cluster(name: string, items: any[], data: Brokers) {
  const merge = (obj: any, patch: any): any => {
    if (patch === null || typeof patch !== 'object' || Array.isArray(patch))
      return patch;
    const out = { ...(obj ?? {}) };
    for (const [k, v] of Object.entries(patch)) {
      if (v === null) delete out[k];
      else out[k] = merge(out[k], v);
    }
    return out;
  };
  let kafka: any = { metadata: { name: 'clickstream', annotations: {} } };
  const pods = [
    brokerPod('clickstream-controllers-3', 'false'),
    brokerPod('clickstream-brokers-1', 'true'),
    brokerPod('clickstream-brokers-0', 'true'),
  ];
  const client: ClusterWriteClient = {
    cluster: name,
    pathOf: r => {
      if (r.kind === 'Pod') return '/api/v1/namespaces/databases/pods';
      if (r.kind === 'Kafka') return `${KAFKA_PATH}/${r.name}`;
      return r.name ? `${MM2_PATH}/${r.name}` : MM2_PATH;
    },
    get: async (path: string) => {
      if (path === MM2_PATH) return { items: structuredClone(items) } as any;
      if (path === `${KAFKA_PATH}/clickstream`) return structuredClone(kafka);
      if (
        path ===
        `/api/v1/namespaces/databases/pods?labelSelector=${encodeURIComponent(
          'strimzi.io/cluster=clickstream,strimzi.io/kind=Kafka',
        )}`
      )
        return { items: structuredClone(pods) } as any;
      return undefined;
    },
    mergePatch: async (path: string, patch: unknown) => {
      if (path.startsWith(KAFKA_PATH)) return (kafka = merge(kafka, patch));
      const i = items.findIndex(o => path.endsWith(`/${o.metadata.name}`));
      items[i] = merge(items[i], patch);
      return items[i];
    },
    create: async () => ({} as any),
    delete: async () => undefined,
    exec: async (target: ExecTarget, command: string[]) => {
      data.execs.push({ pod: target.pod, command });
      if (!data.up) throw new Error(`${name} does not answer`);
      const tool = command[0];
      const lines: string[] = [];
      if (tool.endsWith('kafka-get-offsets.sh'))
        for (const [topic, ends] of Object.entries(data.ends))
          lines.push(...ends.map((e, p) => `${topic}:${p}:${e}`));
      else if (tool.endsWith('kafka-consumer-groups.sh')) {
        lines.push('GROUP TOPIC PARTITION CURRENT-OFFSET LOG-END-OFFSET LAG');
        for (const [group, byTopic] of Object.entries(data.groups))
          for (const [topic, offsets] of Object.entries(byTopic))
            lines.push(
              ...offsets.map(
                (o, p) =>
                  `${group} ${topic} ${p} ${o} ${data.ends[topic]?.[p]} 0`,
              ),
            );
      }
      const stdout = lines.map(l => `${l}\n`).join('');
      return {
        exitCode: 0,
        stdout,
        stderr: '',
        durationMs: 1,
        truncated: false,
      };
    },
  };
  return { client, kafka: () => kafka };
}

const workload = {
  apiVersion: 'kafka.strimzi.io/v1beta2',
  kind: 'Kafka',
  namespace: 'databases',
  name: 'clickstream',
};
const ctx = { entityRef: 'component:default/clickstream', now: Date.now };

function world() {
  const held = [mirror()];
  const data: Record<string, Brokers> = {
    'us-east': brokers({ orders: [10, 7], 'mm2-offsets': [3] }, 9),
    'eu-central': brokers({ orders: [12, 7] }, 11),
  };
  const made = {
    'us-east': cluster('us-east', held, data['us-east']),
    'eu-central': cluster('eu-central', [], data['eu-central']),
  };
  const sides: Record<string, FailoverSide> = Object.fromEntries(
    Object.entries(made).map(([c, m]) => [
      c,
      { cluster: c, client: m.client, workload },
    ]),
  );
  const role = (c: 'us-east' | 'eu-central') =>
    made[c].kafka().metadata.annotations['multicluster-statefulsets/role'];
  return { held, data, sides, role };
}

describe('StrimziMirrorMakerProvider', () => {
  it('turns the mirror around by its spec once the target holds every record', async () => {
    const { held, data, sides, role } = world();
    const provider = new StrimziMirrorMakerProvider({ pollMs: 5 });
    expect(provider.supportsWorkload(workload)).toBe(true);
    expect(provider.catchUpInEngine).toBe(true);
    expect(await provider.isPromoted(sides['us-east'], ctx)).toBe(false);

    expect(
      await provider.readDataLoss(sides['us-east'], sides['eu-central'], ctx),
    ).toEqual({
      amount: 2,
      unit: 'offsets',
      detail:
        "eu-central's end offsets minus us-east's, summed over 1 topics' partitions (behind: orders-0)",
    });
    const fenced = await provider.fence(
      sides['eu-central'],
      sides['us-east'],
      ctx,
    );
    expect(fenced).toMatchObject({
      previousRole: 'active',
      pod: 'clickstream-brokers-0',
      endOffsets: { orders: [12, 7] },
    });
    expect(role('eu-central')).toBe('fenced');
    // Run in the lowest broker, never in the controller-only node.
    expect(new Set(data['eu-central'].execs.map(e => e.pod))).toEqual(
      new Set(['clickstream-brokers-0']),
    );

    // Behind: the wait ends at its deadline naming the partition and group.
    await expect(
      provider.waitCaughtUp(sides['us-east'], sides['eu-central'], {
        ...ctx,
        timeoutMs: 30,
      }),
    ).rejects.toThrow(
      'us-east did not mirror eu-central within 0s: 2 record(s) missing (orders-0), group offsets not translated: app orders-0',
    );
    // MirrorMaker 2 catches up while the provider waits.
    setTimeout(() => {
      data['us-east'].ends.orders = [12, 7];
      data['us-east'].groups.app.orders = [11];
    }, 20);
    await expect(
      provider.waitCaughtUp(sides['us-east'], sides['eu-central'], {
        ...ctx,
        timeoutMs: 5_000,
      }),
    ).resolves.toMatchObject({ seconds: 0 });

    const undo = await provider.promote(sides['us-east'], sides['eu-central'], {
      ...ctx,
      fenced,
      emergency: false,
    });
    expect(undo).toMatchObject({
      reversed: ['us-east/clickstream-mirror'],
      pod: 'clickstream-brokers-0',
      lostRecords: 0,
    });
    expect(role('us-east')).toBe('active');
    expect(held[0].spec.target).toEqual({
      alias: 'eu-central',
      bootstrapServers: 'eu.lb.example:9094',
      groupId: 'clickstream-mirror',
      tls: { trustedCertificates: [{ secretName: 'eu-ca' }] },
    });
    expect(held[0].spec.mirrors[0]).toMatchObject({
      source: {
        alias: 'us-east',
        bootstrapServers: 'clickstream-kafka-bootstrap:9093',
        tls: { trustedCertificates: [{ secretName: 'us-ca' }] },
      },
      sourceConnector: { tasksMax: 2 },
    });
    expect(await provider.isPromoted(sides['us-east'], ctx)).toBe(true);
    expect(
      await provider.verifyRoles(sides['us-east'], sides['eu-central']),
    ).toEqual([]);
    // The old source follows through the reversed mirror, which runs in
    // us-east: its role says so where no MirrorMaker 2 of its own does.
    await provider.reattach(sides['eu-central'], sides['us-east']);
    expect(role('eu-central')).toBe('passive');
    // Promoting again changes nothing.
    expect(
      await provider.promote(sides['us-east'], sides['eu-central'], {
        ...ctx,
        fenced,
        emergency: false,
      }),
    ).toMatchObject({ reversed: [] });
    // The connector of the new direction is not reported yet: no catch-up.
    await expect(
      provider.waitCaughtUp(sides['eu-central'], sides['us-east'], {
        ...ctx,
        timeoutMs: 1_000,
      }),
    ).rejects.toThrow('us-east->eu-central MirrorSourceConnector');

    await provider.abortPromotion(sides['us-east'], sides['eu-central']);
    expect(held[0].spec.target.alias).toBe('us-east');
    expect(role('us-east')).toBe('passive');
    expect(
      await provider.verifyRoles(sides['us-east'], sides['eu-central']),
    ).toEqual([
      'KafkaMirrorMaker2 us-east/clickstream-mirror still mirrors eu-central into us-east',
      'no KafkaMirrorMaker2 mirrors us-east into eu-central',
    ]);
  });

  it('states the loss in offsets in an emergency, unknown while the source does not answer', async () => {
    const { data, sides } = world();
    const provider = new StrimziMirrorMakerProvider({ sourcePeekMs: 200 });
    data['eu-central'].up = false;
    expect(
      await provider.readDataLoss(sides['us-east'], sides['eu-central'], ctx),
    ).toEqual({
      amount: null,
      unit: 'offsets',
      detail:
        "eu-central does not answer; the records it holds beyond us-east's end offsets cannot be counted",
    });
    const undo = await provider.promote(sides['us-east'], sides['eu-central'], {
      ...ctx,
      emergency: true,
    });
    expect(undo).toMatchObject({
      reversed: ['us-east/clickstream-mirror'],
      lostRecords: null,
      sourceEndOffsets: null,
    });
    // The source answers again: what it held beyond us-east is counted.
    data['eu-central'].up = true;
    expect(
      await provider.readDataLoss(sides['eu-central'], sides['us-east'], ctx),
    ).toMatchObject({ amount: 0, unit: 'offsets' });
    expect(
      await provider.readDataLoss(sides['us-east'], sides['eu-central'], ctx),
    ).toMatchObject({ amount: 2 });
  });

  it('waits for records only where no checkpoint connector syncs group offsets', async () => {
    const { held, data, sides } = world();
    delete (held[0].spec.mirrors[0] as any).checkpointConnector;
    data['us-east'].ends.orders = [12, 7];
    const provider = new StrimziMirrorMakerProvider({ pollMs: 5 });
    await expect(
      provider.waitCaughtUp(sides['us-east'], sides['eu-central'], {
        ...ctx,
        timeoutMs: 1_000,
      }),
    ).resolves.toMatchObject({ seconds: 0 });
    expect(
      data['eu-central'].execs.some(e =>
        e.command[0].endsWith('kafka-consumer-groups.sh'),
      ),
    ).toBe(false);
  });

  it('reverses a spec twice back to where it was', () => {
    const spec = mirror().spec;
    expect(reversedSpec(reversedSpec(spec))).toEqual(spec);
  });

  it('names the spec change and the commands in its steps', () => {
    const steps = new StrimziMirrorMakerProvider().describeSteps({
      sourceCluster: 'eu-central',
      targetCluster: 'us-east',
    });
    expect(steps.promote.join('\n')).toContain(
      'spec.mirrors[0].source ← the old target (alias us-east)',
    );
    expect(steps.promote.join('\n')).toContain(
      '/opt/kafka/bin/kafka-get-offsets.sh --bootstrap-server localhost:9092',
    );
    expect(steps.fence.join('\n')).toContain(
      'kafka-consumer-groups.sh --bootstrap-server localhost:9092 --describe --all-groups',
    );
    expect(steps.reattach?.[0]).toContain(
      'role passive, replicating from us-east through the reversed KafkaMirrorMaker2',
    );
  });
});
