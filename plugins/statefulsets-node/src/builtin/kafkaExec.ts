/*
 * Running Kafka's command-line tools in a broker pod through `pods/exec`:
 * which pod (the StatefulSet's first ordinal), where the image keeps the
 * tools, and their output read back (`kafka-get-offsets.sh` prints
 * `topic:partition:offset` lines, `kafka-consumer-groups.sh --describe` a
 * table). The tools talk to `localhost:9092`, the broker they run next to;
 * no credentials are involved on a PLAINTEXT listener, and a secured one
 * takes `--command-config` from a file mounted in the pod.
 */
import { KubeObject } from '@multicluster/backstage-plugin-statefulsets-common';
import { FailoverCallContext, FailoverSide } from '../failover';

/** The broker a side's commands run in. */
export interface KafkaBroker {
  side: FailoverSide;
  namespace: string;
  pod: string;
  container: string;
  /** Directory of the tools in the image ('' when they are on PATH). */
  bin: string;
  statefulSet: KubeObject;
}

const IMAGES: Array<{ re: RegExp; bin: string }> = [
  { re: /(^|\/)apache\/kafka(-native)?(:|@|$)/i, bin: '/opt/kafka/bin/' },
  { re: /(^|\/)strimzi\/kafka(:|@|$)/i, bin: '/opt/kafka/bin/' },
  { re: /(^|\/)bitnami\/kafka(:|@|$)/i, bin: '/opt/bitnami/kafka/bin/' },
  { re: /(^|\/)confluentinc\/cp-kafka(:|@|$)/i, bin: '' },
];

function runsConnect(c: any): boolean {
  return [...(c?.command ?? []), ...(c?.args ?? [])].some((a: string) =>
    /connect-(mirror-maker|distributed)\.sh/.test(String(a)),
  );
}

/** The broker container of a StatefulSet and where its tools are. */
export function kafkaContainer(
  sts: KubeObject,
): { name: string; bin: string } | undefined {
  for (const c of sts.spec?.template?.spec?.containers ?? []) {
    const image = IMAGES.find(i => i.re.test(String(c?.image ?? '')));
    if (image && !runsConnect(c))
      return { name: String(c.name), bin: image.bin };
  }
  return undefined;
}

/** A side's first broker, or undefined when it cannot be exec'd into. */
export function kafkaBrokerOf(
  side: FailoverSide,
  sts: KubeObject,
): KafkaBroker | undefined {
  const container = kafkaContainer(sts);
  if (!side.client.exec || !container) return undefined;
  return {
    side,
    namespace: side.workload.namespace,
    pod: `${side.workload.name}-${Number(sts.spec?.ordinals?.start ?? 0)}`,
    container: container.name,
    bin: container.bin,
    statefulSet: sts,
  };
}

/** The commands the provider runs, as the plan shows them. */
export const kafkaCommands = {
  endOffsets: (bin = '/opt/kafka/bin/') => [
    `${bin}kafka-get-offsets.sh`,
    '--bootstrap-server',
    'localhost:9092',
  ],
  groups: (bin = '/opt/kafka/bin/') => [
    `${bin}kafka-consumer-groups.sh`,
    '--bootstrap-server',
    'localhost:9092',
    '--describe',
    '--all-groups',
  ],
};

/** Default deadline of one tool run. */
export const KAFKA_EXEC_TIMEOUT_MS = 20_000;

/** Runs a tool in the broker; its stdout, or an error naming the pod. */
export async function runTool(
  broker: KafkaBroker,
  command: string[],
  ctx: Pick<FailoverCallContext, 'signal'>,
  timeoutMs = KAFKA_EXEC_TIMEOUT_MS,
): Promise<string> {
  const { side } = broker;
  const argv = broker.bin
    ? command
    : [
        command[0].replace(/^.*\//, '').replace(/\.sh$/, ''),
        ...command.slice(1),
      ];
  const result = await side.client.exec!(
    {
      namespace: broker.namespace,
      pod: broker.pod,
      container: broker.container,
    },
    argv,
    { timeoutMs, signal: ctx.signal },
  );
  if (result.exitCode !== 0) {
    throw new Error(
      `${argv[0]} in ${side.cluster} pod ${broker.namespace}/${
        broker.pod
      } exited with ${result.exitCode}: ${
        result.stderr.trim() || result.stdout.trim() || 'no output'
      }`,
    );
  }
  return result.stdout;
}

/** A topic's end offset per partition. */
export type EndOffsets = Record<string, number[]>;

/** Whether a topic holds the applications' records (not Kafka's or MirrorMaker 2's own). */
export function isApplicationTopic(name: string): boolean {
  return (
    !name.startsWith('__') &&
    !name.startsWith('mm2-') &&
    !name.endsWith('.internal') &&
    name !== 'heartbeats'
  );
}

/** `topic:partition:offset` lines (a topic name may hold colons). */
export function parseEndOffsets(stdout: string): EndOffsets {
  const out: EndOffsets = {};
  for (const line of stdout.split('\n')) {
    const m = /^(.+):(\d+):(\d+)$/.exec(line.trim());
    if (!m) continue;
    (out[m[1]] = out[m[1]] ?? [])[Number(m[2])] = Number(m[3]);
  }
  return out;
}

/** group → topic → committed offset per partition, from `--describe` tables. */
export type GroupOffsets = Record<string, Record<string, number[]>>;

/** The committed offsets `kafka-consumer-groups.sh --describe` prints. */
export function parseGroupOffsets(stdout: string): GroupOffsets {
  const out: GroupOffsets = {};
  for (const line of stdout.split('\n')) {
    const cols = line.trim().split(/\s+/);
    if (cols.length < 6 || cols[0] === 'GROUP' || !/^\d+$/.test(cols[2]))
      continue;
    const [group, topic, partition, current] = cols;
    if (!/^\d+$/.test(current)) continue;
    const byTopic = (out[group] = out[group] ?? {});
    (byTopic[topic] = byTopic[topic] ?? [])[Number(partition)] =
      Number(current);
  }
  return out;
}

/** What `have` lacks of `want`, summed over the application topics' partitions. */
export function missingRecords(
  want: EndOffsets,
  have: EndOffsets,
): { records: number; partitions: string[] } {
  const gaps = Object.entries(want)
    .filter(([topic]) => isApplicationTopic(topic))
    .flatMap(([topic, ends]) =>
      ends.map((end, p) => ({
        partition: `${topic}-${p}`,
        gap: end - (have[topic]?.[p] ?? 0),
      })),
    )
    .filter(g => g.gap > 0);
  return {
    records: gaps.reduce((sum, g) => sum + g.gap, 0),
    partitions: gaps.map(g => g.partition),
  };
}

/** The group offsets of `want` that `have` has not translated yet. */
export function untranslatedGroups(
  want: GroupOffsets,
  have: GroupOffsets,
): string[] {
  const behind: string[] = [];
  for (const [group, byTopic] of Object.entries(want))
    for (const [topic, offsets] of Object.entries(byTopic))
      offsets.forEach((o, p) => {
        if ((have[group]?.[topic]?.[p] ?? -1) < o)
          behind.push(`${group} ${topic}-${p}`);
      });
  return behind;
}

/** A Kafka cluster's end offsets, read with the image's tools. */
export async function readEndOffsets(
  b: KafkaBroker,
  ctx: FailoverCallContext,
): Promise<EndOffsets> {
  return parseEndOffsets(
    await runTool(b, kafkaCommands.endOffsets(b.bin), ctx),
  );
}

/** A Kafka cluster's consumer-group offsets, read with the image's tools. */
export async function readGroupOffsets(
  b: KafkaBroker,
  ctx: FailoverCallContext,
): Promise<GroupOffsets> {
  return parseGroupOffsets(await runTool(b, kafkaCommands.groups(b.bin), ctx));
}
