/*
 * Running SQL in a MySQL pod through `pods/exec`: which pod is a cluster's
 * primary (the StatefulSet's first ordinal, as the generator lays out the
 * topology), the `mysql` command line that carries no secret (the password
 * comes from the pod's environment), and the client's batch output read
 * back.
 */
import { KubeObject } from '@multicluster/backstage-plugin-statefulsets-common';
import { FailoverCallContext, FailoverSide } from '../failover';

/** The MySQL server a side's failover acts on: its cluster's primary pod. */
export interface MysqlServer {
  side: FailoverSide;
  namespace: string;
  pod: string;
  container: string;
  /** The StatefulSet as read before this action. */
  statefulSet: KubeObject;
  /** The StatefulSet's headless Service (the pods' DNS subdomain). */
  serviceName: string;
  port: number;
}

const MYSQL_IMAGE = /(^|\/)(mysql|percona-server|mysql-server)[^/]*(:|@|$)/i;

function mysqlContainer(sts: KubeObject): any {
  const containers: any[] = sts.spec?.template?.spec?.containers ?? [];
  return containers.find(c => MYSQL_IMAGE.test(String(c?.image ?? '')));
}

/**
 * The primary pod of a side's StatefulSet, or undefined when its client
 * cannot exec or the StatefulSet runs no MySQL container (then only the
 * generic, annotation-based failover applies).
 */
export function mysqlServerOf(
  side: FailoverSide,
  sts: KubeObject,
): MysqlServer | undefined {
  const container = mysqlContainer(sts);
  if (!side.client.exec || !container) return undefined;
  const port = (container.ports ?? []).find(
    (p: any) => p?.name === 'mysql',
  )?.containerPort;
  return {
    side,
    namespace: side.workload.namespace,
    pod: `${side.workload.name}-${Number(sts.spec?.ordinals?.start ?? 0)}`,
    container: String(container.name),
    statefulSet: sts,
    serviceName: String(sts.spec?.serviceName ?? side.workload.name),
    port: Number(port ?? 3306),
  };
}

/**
 * The exec command running `sql` with the root account. The password is
 * the container's `MYSQL_ROOT_PASSWORD`, expanded by the pod's shell, so
 * the journaled command holds only the variable's name.
 */
export function mysqlCommand(
  sql: string,
  options?: { vertical?: boolean },
): string[] {
  if (/["`\\]/.test(sql) || /\$(?!REPLICATION_PASSWORD\b)/.test(sql)) {
    throw new Error(
      `Refusing to pass SQL with shell quoting characters through exec: ${sql}`,
    );
  }
  const format = options?.vertical ? '-E' : '-N -B';
  return [
    'sh',
    '-c',
    `MYSQL_PWD="$MYSQL_ROOT_PASSWORD" mysql -uroot ${format} -e "${sql}"`,
  ];
}

/** Default deadline of one statement batch. */
export const MYSQL_EXEC_TIMEOUT_MS = 15_000;

/** Runs SQL on a server; its stdout, or an error naming the pod and MySQL's message. */
export async function runSql(
  server: MysqlServer,
  sql: string,
  ctx: Pick<FailoverCallContext, 'signal'>,
  options?: { vertical?: boolean; timeoutMs?: number },
): Promise<string> {
  const { side } = server;
  const result = await side.client.exec!(
    {
      namespace: server.namespace,
      pod: server.pod,
      container: server.container,
    },
    mysqlCommand(sql, options),
    {
      timeoutMs: options?.timeoutMs ?? MYSQL_EXEC_TIMEOUT_MS,
      signal: ctx.signal,
    },
  );
  if (result.exitCode !== 0) {
    throw new Error(
      `mysql in ${side.cluster} pod ${server.namespace}/${
        server.pod
      } exited with ${result.exitCode}: ${
        result.stderr.trim() || result.stdout.trim() || 'no output'
      }`,
    );
  }
  return result.stdout;
}

/** The rows of `mysql -E` output, each as column → value ('NULL' read as null). */
export function parseVertical(
  stdout: string,
): Array<Record<string, string | null>> {
  const rows: Array<Record<string, string | null>> = [];
  let key: string | undefined;
  for (const line of stdout.split('\n')) {
    const row = rows[rows.length - 1];
    const m = /^\s*([A-Za-z_]+): ?(.*)$/.exec(line);
    if (/^\*+ \d+\. row \*+$/.test(line.trim())) {
      rows.push({});
      key = undefined;
    } else if (m && row) {
      key = m[1];
      row[key] = m[2] === 'NULL' ? null : m[2];
    } else if (row && key && line.trim()) {
      // A long GTID set continues on the next lines.
      row[key] = `${row[key] ?? ''}\n${line.trim()}`;
    }
  }
  return rows;
}
