/*
 * What mysqld_exporter publishes of each emulated server's read-only flags
 * (`mysql_global_variables_read_only` and `..._super_read_only`, 0 or 1), read
 * straight from the state the emulator keeps, so a switchover done through
 * exec shows in `/metrics` without any exec. A server nothing has configured
 * yet reports the flags it would start with; reading never writes its state.
 */
import type { KubeObject } from '../../controllers/types';
import type { ClusterStore } from '../../store/ClusterStore';
import type { PeerDirectory } from '../programs';
import { MYSQL_STATE_ANNOTATION, holderOf, isMysqlImage } from './emulator';
import { initialTopology } from './initialTopology';
import type { MysqlState } from './state';

const FLAGS = [
  {
    name: 'mysql_global_variables_read_only',
    help: 'Generic metric from SHOW GLOBAL VARIABLES (read_only).',
    flag: (s: Flags) => s.readOnly,
  },
  {
    name: 'mysql_global_variables_super_read_only',
    help: 'Generic metric from SHOW GLOBAL VARIABLES (super_read_only).',
    flag: (s: Flags) => s.superReadOnly,
  },
];

type Flags = Pick<MysqlState, 'readOnly' | 'superReadOnly'>;

function esc(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function flagsOf(
  store: ClusterStore,
  pod: KubeObject,
  peers?: PeerDirectory,
): Flags {
  const text = holderOf(store, pod).metadata.annotations?.[
    MYSQL_STATE_ANNOTATION
  ];
  if (text) return JSON.parse(text) as MysqlState;
  const { readOnly } = initialTopology(store, pod, peers);
  return { readOnly, superReadOnly: readOnly };
}

function exported(pod: KubeObject): string | undefined {
  if (pod.status?.phase !== 'Running') return undefined;
  const runsMysql = (pod.spec?.containers ?? []).some((c: any) =>
    isMysqlImage(c?.image ?? ''),
  );
  if (!runsMysql) return undefined;
  return pod.metadata.ownerReferences?.find(
    (o: any) => o?.kind === 'StatefulSet',
  )?.name;
}

/** The exporter's read-only series of every running MySQL pod of a cluster. */
export function renderMysqlFlagMetrics(
  cluster: string,
  store: ClusterStore,
  peers?: PeerDirectory,
): string {
  const lines = FLAGS.map(f => [
    `# HELP ${f.name} ${f.help}`,
    `# TYPE ${f.name} gauge`,
  ]);
  for (const pod of store.peekAll('', 'Pod')) {
    const statefulset = exported(pod);
    if (statefulset === undefined) continue;
    const flags = flagsOf(store, pod, peers);
    const labels = `namespace="${esc(
      pod.metadata.namespace ?? '',
    )}",statefulset="${esc(statefulset)}",pod="${esc(
      pod.metadata.name,
    )}",cluster="${esc(cluster)}"`;
    FLAGS.forEach((f, i) =>
      lines[i].push(`${f.name}{${labels}} ${f.flag(flags) ? 1 : 0}`),
    );
  }
  return `${lines.flat().join('\n')}\n`;
}
