/*
 * The Kafka command-line tools of the broker images, the subset an
 * operator runs to check a mirror: `kafka-topics.sh --list | --describe`,
 * `kafka-get-offsets.sh` (also as `kafka-run-class.sh
 * org.apache.kafka.tools.GetOffsetShell`), `kafka-consumer-groups.sh --list
 * | --describe`, and `kafka-console-producer.sh` for a write test; each
 * talks to the cluster its `--bootstrap-server` leads to and prints what
 * the real tool prints.
 */
import type { ExecTarget, Program, ProgramIo } from '../programs';
import { anyBrokerRunning, brokerIds, resolveBootstrap } from './brokers';
import { KafkaCluster } from './cluster';
import { isUserTopic, topicId } from './state';

type Flags = Map<string, string[]>;

const SWITCHES = new Set([
  '--list',
  '--describe',
  '--all-groups',
  '--exclude-internal',
  '--exclude-internal-topics',
  '--offsets',
  '--members',
  '--state',
]);

function parseFlags(args: string[]): Flags | string {
  const flags: Flags = new Map();
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (!a.startsWith('--')) return `Found non argument parameters: ${a}`;
    const [name, inline] = a.split(/=(.*)/s);
    const value = SWITCHES.has(name) ? '' : inline ?? args[++i];
    if (value === undefined) return `Option ${name} requires an argument`;
    flags.set(name, [...(flags.get(name) ?? []), value]);
  }
  return flags;
}

const one = (f: Flags, name: string) => f.get(name)?.[0];

/** Prints an argument error; exit status 1. */
function usage(io: ProgramIo, message: string): number {
  io.stderr(`${message}\n`);
  return 1;
}

/** Connects to the cluster of `--bootstrap-server`, or prints why not. */
function connect(
  f: Flags,
  t: ExecTarget,
  io: ProgramIo,
  call: string,
): KafkaCluster | undefined {
  const servers = one(f, '--bootstrap-server') ?? one(f, '--broker-list');
  if (!servers) {
    io.stderr('Missing required argument "[bootstrap-server]"\n');
    return undefined;
  }
  for (const server of servers.split(',')) {
    const r = resolveBootstrap(
      server,
      t.store,
      t.pod.metadata.namespace ?? 'default',
      t.peers,
      t.pod,
    );
    if (r.ok && anyBrokerRunning(r.cluster))
      return new KafkaCluster(r.cluster, t.now, t.peers);
    if (!r.ok) io.stderr(`[AdminClient clientId=adminclient-1] ${r.error}\n`);
  }
  io.stderr(
    `Error while executing command : Timed out waiting for a node assignment. Call: ${call}\n`,
  );
  return undefined;
}

function topicsOf(f: Flags, all: string[]): string[] | string {
  const wanted = one(f, '--topic');
  if (wanted === undefined) return all;
  const re = new RegExp(`^(?:${wanted})$`);
  const matched = all.filter(n => n === wanted || re.test(n));
  return matched.length
    ? matched
    : `Topic '${wanted}' does not exist as expected`;
}

const topics: (t: ExecTarget) => Program = t => async (args, io) => {
  const f = parseFlags(args);
  if (typeof f === 'string') return usage(io, f);
  const c = connect(f, t, io, 'listTopics');
  if (!c) return 1;
  const { ends } = c.offsets();
  const state = c.load();
  const names = Object.keys(ends).sort();
  if (f.has('--list')) {
    const shown = f.has('--exclude-internal')
      ? names.filter(n => !n.startsWith('__'))
      : names;
    io.stdout(shown.map(n => `${n}\n`).join(''));
    return 0;
  }
  if (!f.has('--describe')) {
    io.stderr(
      'Exactly one of --list, --describe, --create, --alter or --delete must be specified\n',
    );
    return 1;
  }
  const chosen = topicsOf(f, names);
  if (typeof chosen === 'string') {
    io.stderr(`Error while executing topic command : ${chosen}\n`);
    return 1;
  }
  const brokers = brokerIds(c.c);
  for (const name of chosen) {
    const parts = ends[name].length;
    const rf = Math.min(3, brokers.length);
    io.stdout(
      `Topic: ${name}\tTopicId: ${
        state.topics[name]?.id ?? topicId(name)
      }\tPartitionCount: ${parts}\tReplicationFactor: ${rf}\tConfigs: min.insync.replicas=2\n`,
    );
    for (let p = 0; p < parts; p++) {
      const replicas = Array.from(
        { length: rf },
        (_, i) => brokers[(p + i) % brokers.length],
      ).join(',');
      io.stdout(
        `\tTopic: ${name}\tPartition: ${p}\tLeader: ${
          brokers[p % brokers.length]
        }\tReplicas: ${replicas}\tIsr: ${replicas}\tElr: \tLastKnownElr: \n`,
      );
    }
  }
  return 0;
};

const getOffsets: (t: ExecTarget) => Program = t => async (args, io) => {
  const f = parseFlags(args);
  if (typeof f === 'string') return usage(io, f);
  const c = connect(f, t, io, 'listOffsets');
  if (!c) return 1;
  const { ends } = c.offsets();
  const all = Object.keys(ends)
    .filter(n => !(f.has('--exclude-internal-topics') && n.startsWith('__')))
    .sort();
  const chosen = topicsOf(f, all);
  // An unknown topic prints nothing, as GetOffsetShell does.
  if (typeof chosen === 'string') return 0;
  const time = one(f, '--time') ?? '-1';
  const earliest = time === '-2' || time === 'earliest';
  const wanted = one(f, '--partitions')?.split(',').map(Number);
  for (const name of chosen)
    ends[name].forEach((end, p) => {
      if (!wanted || wanted.includes(p))
        io.stdout(`${name}:${p}:${earliest ? 0 : end}\n`);
    });
  return 0;
};

function pad(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map(r => r[i].length)));
  return rows
    .map(r =>
      r.map((v, i) => (i === r.length - 1 ? v : v.padEnd(widths[i]))).join(' '),
    )
    .join('\n');
}

const consumerGroups: (t: ExecTarget) => Program = t => async (args, io) => {
  const f = parseFlags(args);
  if (typeof f === 'string') return usage(io, f);
  const c = connect(f, t, io, 'listConsumerGroups');
  if (!c) return 1;
  const { ends, groups } = c.offsets();
  const names = Object.keys(groups).sort();
  if (f.has('--list')) {
    io.stdout(names.map(n => `${n}\n`).join(''));
    return 0;
  }
  if (!f.has('--describe')) {
    io.stderr(
      'Command must include exactly one action: --list, --describe, --delete, --reset-offsets, --delete-offsets\n',
    );
    return 1;
  }
  const chosen = f.has('--all-groups') ? names : f.get('--group') ?? [];
  for (const group of chosen) {
    if (!groups[group]) {
      io.stdout(`\nConsumer group '${group}' does not exist.\n`);
      continue;
    }
    io.stdout(`\nConsumer group '${group}' has no active members.\n`);
    const rows = [
      [
        'GROUP',
        'TOPIC',
        'PARTITION',
        'CURRENT-OFFSET',
        'LOG-END-OFFSET',
        'LAG',
        'CONSUMER-ID',
        'HOST',
        'CLIENT-ID',
      ],
    ];
    for (const [topic, committed] of Object.entries(groups[group]).sort())
      committed.forEach((offset, p) => {
        const end = ends[topic]?.[p] ?? 0;
        rows.push([
          group,
          topic,
          String(p),
          String(offset),
          String(end),
          String(Math.max(0, end - offset)),
          '-',
          '-',
          '-',
        ]);
      });
    io.stdout(`\n${pad(rows)}\n`);
  }
  return 0;
};

const consoleProducer: (t: ExecTarget) => Program = t => async (args, io) => {
  const f = parseFlags(args);
  if (typeof f === 'string') return usage(io, f);
  const topic = one(f, '--topic');
  if (!topic) {
    io.stderr('Missing required argument "[topic]"\n');
    return 1;
  }
  const c = connect(f, t, io, 'fetchMetadata');
  if (!c) return 1;
  const records = (await io.stdin()).split('\n').filter(l => l !== '').length;
  if (!records) return 0;
  const { ends } = c.offsets();
  if (!ends[topic]) {
    // auto.create.topics.enable defaults to true: one partition.
    io.stderr(
      `[Producer clientId=console-producer] The metadata response from the cluster reported a recoverable issue with correlation id 1 : {${topic}=UNKNOWN_TOPIC_OR_PARTITION}\n`,
    );
    c.createTopic(topic, 1, topicId(`${c.c.key}/${topic}`));
  }
  if (!isUserTopic(topic)) {
    io.stderr(
      `org.apache.kafka.common.errors.InvalidTopicException: ${topic} is an internal topic\n`,
    );
    return 1;
  }
  // The sticky partitioner sends a batch of keyless records to one partition.
  c.produce(topic, 0, records);
  return 0;
};

/**
 * `kafka-producer-perf-test.sh --topic T --num-records N --record-size B
 * --throughput -1 --producer-props bootstrap.servers=H`: a write test that
 * needs no stdin.
 */
const perfTest: (t: ExecTarget) => Program = t => async (args, io) => {
  // `--producer-props` takes any number of `name=value` words.
  const isProp = (a: string) => !a.startsWith('--') && a.includes('=');
  const f = parseFlags(
    args.filter(a => a !== '--producer-props' && !isProp(a)),
  );
  if (typeof f === 'string') return usage(io, f);
  const props = args.find(a => isProp(a) && a.startsWith('bootstrap.servers='));
  const topic = one(f, '--topic');
  const records = Number(one(f, '--num-records') ?? NaN);
  if (!topic || !props || !Number.isInteger(records) || records < 0) {
    io.stderr(
      'usage: producer-performance --topic TOPIC --num-records NUM-RECORDS --throughput THROUGHPUT --producer-props PROP-NAME=PROP-VALUE\n',
    );
    return 1;
  }
  f.set('--bootstrap-server', [props.slice('bootstrap.servers='.length)]);
  const c = connect(f, t, io, 'fetchMetadata');
  if (!c) return 1;
  if (!c.offsets().ends[topic])
    c.createTopic(topic, 1, topicId(`${c.c.key}/${topic}`));
  if (!isUserTopic(topic)) {
    io.stderr(
      `org.apache.kafka.common.errors.InvalidTopicException: ${topic} is an internal topic\n`,
    );
    return 1;
  }
  c.produce(topic, 0, records);
  io.stdout(
    `${records} records sent, ${records} records/sec (0.00 MB/sec), 3.0 ms avg latency, 3.0 ms max latency, 3 ms 50th, 3 ms 95th, 3 ms 99th, 3 ms 99.9th.\n`,
  );
  return 0;
};

/** The tools, by the basenames under /opt/kafka/bin (and without `.sh`). */
export function kafkaTools(t: ExecTarget): Record<string, Program> {
  const tools: Record<string, Program> = {
    'kafka-topics.sh': topics(t),
    'kafka-get-offsets.sh': getOffsets(t),
    'kafka-consumer-groups.sh': consumerGroups(t),
    'kafka-console-producer.sh': consoleProducer(t),
    'kafka-producer-perf-test.sh': perfTest(t),
  };
  const runClass: Program = async (args, io) => {
    const [cls, ...rest] = args;
    if (
      cls === 'org.apache.kafka.tools.GetOffsetShell' ||
      cls === 'kafka.tools.GetOffsetShell'
    )
      return tools['kafka-get-offsets.sh'](rest, io);
    io.stderr(`Error: Could not find or load main class ${cls}\n`);
    return 1;
  };
  tools['kafka-run-class.sh'] = runClass;
  // Confluent's and Bitnami's images put the tools on PATH without `.sh`.
  for (const name of Object.keys(tools))
    tools[name.replace(/\.sh$/, '')] = tools[name];
  return tools;
}
