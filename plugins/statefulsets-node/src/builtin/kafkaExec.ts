/*
 * Running Kafka's command-line tools in a broker pod through `pods/exec`:
 * which pod (a StatefulSet's first ordinal; a Strimzi Kafka's first running
 * broker, found by the operator's labels), where the image keeps the
 * tools, and their output read back (`kafka-get-offsets.sh` prints
 * `topic:partition:offset` lines, `kafka-consumer-groups.sh --describe` a
 * table). The tools talk to `localhost:9092`, the broker they run next to;
 * no credentials are involved on a PLAINTEXT listener, and a secured one
 * takes `--command-config` from a file mounted in the pod.
 */
import {
  EngineDataLoss,
  KubeObject,
} from '@multicluster/backstage-plugin-statefulsets-common';
import { FailoverCallContext, FailoverSide, sleep } from '../failover';

/** A broker pod a side's commands run in. */
export interface KafkaToolsPod {
  side: FailoverSide;
  namespace: string;
  pod: string;
  container: string;
  /** Directory of the tools in the image ('' when they are on PATH). */
  bin: string;
}

/** The broker of a Kafka StatefulSet a side's commands run in. */
export interface KafkaBroker extends KafkaToolsPod {
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

/** The broker container among a pod spec's containers and where its tools are. */
function brokerContainerIn(
  containers: any[] | undefined,
): { name: string; bin: string } | undefined {
  for (const c of containers ?? []) {
    const image = IMAGES.find(i => i.re.test(String(c?.image ?? '')));
    if (image && !runsConnect(c))
      return { name: String(c.name), bin: image.bin };
  }
  return undefined;
}

/** The broker container of a StatefulSet and where its tools are. */
export function kafkaContainer(
  sts: KubeObject,
): { name: string; bin: string } | undefined {
  return brokerContainerIn(sts.spec?.template?.spec?.containers);
}

/**
 * The first running broker of a Strimzi Kafka (the lowest node id among
 * the pods labelled `strimzi.io/cluster=<kafka>,strimzi.io/kind=Kafka` that
 * do not say `strimzi.io/broker-role=false`), or undefined when none runs
 * or the side cannot exec.
 */
export async function strimziBrokerOf(
  side: FailoverSide,
): Promise<KafkaToolsPod | undefined> {
  if (!side.client.exec) return undefined;
  const { namespace, name } = side.workload;
  const selector = `strimzi.io/cluster=${name},strimzi.io/kind=Kafka`;
  const list = await side.client.get<{ items?: KubeObject[] }>(
    `${side.client.pathOf({
      apiVersion: 'v1',
      kind: 'Pod',
      namespace,
    })}?labelSelector=${encodeURIComponent(selector)}`,
  );
  const idOf = (p: KubeObject) =>
    Number(/-(\d+)$/.exec(p.metadata.name)?.[1] ?? Number.MAX_SAFE_INTEGER);
  const brokers = (list?.items ?? [])
    .filter(
      p =>
        p.metadata.labels?.['strimzi.io/broker-role'] !== 'false' &&
        p.status?.phase === 'Running',
    )
    .sort((a, b) => idOf(a) - idOf(b));
  for (const pod of brokers) {
    const container = brokerContainerIn(pod.spec?.containers);
    if (container)
      return {
        side,
        namespace,
        pod: pod.metadata.name,
        container: container.name,
        bin: container.bin,
      };
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
  broker: KafkaToolsPod,
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
  b: KafkaToolsPod,
  ctx: FailoverCallContext,
): Promise<EndOffsets> {
  return parseEndOffsets(
    await runTool(b, kafkaCommands.endOffsets(b.bin), ctx),
  );
}

/** A Kafka cluster's consumer-group offsets, read with the image's tools. */
export async function readGroupOffsets(
  b: KafkaToolsPod,
  ctx: FailoverCallContext,
): Promise<GroupOffsets> {
  return parseGroupOffsets(await runTool(b, kafkaCommands.groups(b.bin), ctx));
}

/**
 * The data-loss window in offsets: the records of the source's end offsets
 * (`want`, undefined when the source does not answer) the target lacks.
 */
export function offsetsDataLoss(
  want: EndOffsets | undefined,
  have: EndOffsets,
  source: string,
  target: string,
): Omit<EngineDataLoss, 'provider'> {
  if (!want)
    return {
      amount: null,
      unit: 'offsets',
      detail: `${source} does not answer; the records it holds beyond ${target}'s end offsets cannot be counted`,
    };
  const lost = missingRecords(want, have);
  return {
    amount: lost.records,
    unit: 'offsets',
    detail: `${source}'s end offsets minus ${target}'s, summed over ${
      Object.keys(want).length
    } topics' partitions${
      lost.partitions.length ? ` (behind: ${lost.partitions.join(', ')})` : ''
    }`,
  };
}

/**
 * Reads the target until it holds every record of `want` and (given
 * `wantGroups`) every consumer group offset of the source, polling every
 * `pollMs`; throws past `timeoutMs` naming what is still behind and `hint`.
 */
export async function waitForOffsets(p: {
  target: KafkaToolsPod;
  want: EndOffsets;
  wantGroups?: GroupOffsets;
  ctx: FailoverCallContext;
  timeoutMs: number;
  pollMs: number;
  source: string;
  hint: string;
}): Promise<void> {
  const { target, ctx } = p;
  const end = Date.now() + p.timeoutMs;
  for (;;) {
    const [have, haveGroups] = await Promise.all([
      readEndOffsets(target, ctx),
      p.wantGroups ? readGroupOffsets(target, ctx) : Promise.resolve({}),
    ]);
    const missing = missingRecords(p.want, have);
    const groups = p.wantGroups
      ? untranslatedGroups(p.wantGroups, haveGroups)
      : [];
    if (missing.records === 0 && groups.length === 0) return;
    if (Date.now() >= end)
      throw new Error(
        `${target.side.cluster} did not mirror ${p.source} within ${Math.round(
          p.timeoutMs / 1000,
        )}s: ${missing.records} record(s) missing${
          missing.partitions.length ? ` (${missing.partitions.join(', ')})` : ''
        }${
          groups.length
            ? `, group offsets not translated: ${groups.join(', ')}`
            : ''
        }; ${p.hint}`,
      );
    await sleep(p.pollMs, ctx.signal);
  }
}
