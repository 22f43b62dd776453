/*
 * The generated MySQL join script (join.sh in the replication ConfigMap)
 * runs on every start of a pod and joins the cluster's primary pod to the
 * channels its `case` branch lists, read-only. A failover that moves the
 * primary rewrites that branch in both clusters: the new primary's joins
 * nothing (it stays writable after a restart), the old primary's joins the
 * new one, in the form the generator writes it.
 */
import { KubeObject } from '@multicluster/backstage-plugin-statefulsets-common';
import { MysqlServer } from './mysqlExec';

const JOIN_KEY = 'join.sh';

/** The name of the ConfigMap a StatefulSet mounts its join script from, if any. */
export function joinConfigMapOf(sts: KubeObject): string | undefined {
  const volumes: any[] = sts.spec?.template?.spec?.volumes ?? [];
  const volume = volumes.find(
    v =>
      v?.configMap &&
      (v.name === 'replication-join' ||
        (v.configMap.items ?? []).some((i: any) => i?.key === JOIN_KEY)),
  );
  return volume?.configMap?.name;
}

function escaped(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** What the primary pod's branch does: join nothing, or one channel from a source. */
export type PrimaryBranch =
  | { source: true }
  | { source: false; channel: string; host: string; port: number };

function branchBody(branch: PrimaryBranch): string[] {
  if (branch.source) return ['    : # nothing to join'];
  const { channel, host, port } = branch;
  return [
    `    join '${channel}' '${host}' <<SQL`,
    `CHANGE REPLICATION SOURCE TO SOURCE_HOST='${host}', SOURCE_PORT=${port}, SOURCE_USER='replicator', SOURCE_PASSWORD='$REPLICATION_PASSWORD', SOURCE_AUTO_POSITION=1, SOURCE_SSL=1 FOR CHANNEL '${channel}';`,
    `START REPLICA FOR CHANNEL '${channel}';`,
    'SQL',
    '    read_only',
  ];
}

function headerLine(pod: string, branch: PrimaryBranch): string {
  return branch.source
    ? `# ${pod}, the cluster's primary, is the source of the topology;`
    : `# ${pod}, the cluster's primary, replicates from ${branch.channel} and is read-only;`;
}

/**
 * The script with the primary pod's branch (and the header line naming
 * it) rewritten; undefined when the script has no branch for that pod.
 */
export function withPrimaryBranch(
  script: string,
  pod: string,
  branch: PrimaryBranch,
): string | undefined {
  const re = new RegExp(`(\\n  '${escaped(pod)}'\\)\\n)[\\s\\S]*?(\\n    ;;)`);
  if (!re.test(script)) return undefined;
  const body = branchBody(branch).join('\n');
  return script
    .replace(re, (_m, open: string, close: string) => `${open}${body}${close}`)
    .replace(
      new RegExp(`^# ${escaped(pod)}, the cluster's primary, .*$`, 'm'),
      headerLine(pod, branch),
    );
}

/**
 * Rewrites the join script of a server's cluster so that its primary
 * branch does what `branch` says; nothing for a StatefulSet without one
 * (a database the generator did not wire).
 */
export async function rewriteJoinScript(
  server: MysqlServer,
  branch: PrimaryBranch,
): Promise<void> {
  const name = joinConfigMapOf(server.statefulSet);
  if (!name) return;
  const { client } = server.side;
  const path = client.pathOf({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    namespace: server.namespace,
    name,
  });
  const cm = await client.get<KubeObject & { data?: Record<string, string> }>(
    path,
  );
  const script = cm?.data?.[JOIN_KEY];
  if (typeof script !== 'string') return;
  const next = withPrimaryBranch(script, server.pod, branch);
  if (next === undefined || next === script) return;
  await client.mergePatch(path, { data: { [JOIN_KEY]: next } });
}
