/*
 * Running mongosh in a MongoDB replica set member through `pods/exec`:
 * which pods of a side are members (every ordinal of the StatefulSet, the
 * first one asked first), the command line that carries no secret (with
 * authentication, the user and password come from the container's
 * MONGO_INITDB_ROOT_* variables, expanded by the pod's shell), and the
 * JSON answers read back, with the replica set status reduced to what the
 * failover needs.
 */
import { KubeObject } from '@multicluster/backstage-plugin-statefulsets-common';
import { FailoverCallContext, FailoverSide } from '../failover';

/** One side's MongoDB members: its StatefulSet's pods. */
export interface MongoSide {
  side: FailoverSide;
  namespace: string;
  /** Pod names, first ordinal first. */
  pods: string[];
  container: string;
  /** Whether mongosh must authenticate (the container has root credentials in its env). */
  auth: boolean;
  /** The StatefulSet as read before this action. */
  statefulSet: KubeObject;
}

const MONGO_IMAGE =
  /(^|\/)(mongo|mongodb-community-server|percona-server-mongodb|mongodb)(:|@|$)/i;

function mongoContainer(sts: KubeObject): any {
  const containers: any[] = sts.spec?.template?.spec?.containers ?? [];
  return containers.find(
    c => MONGO_IMAGE.test(String(c?.image ?? '')) && c?.name !== 'replset',
  );
}

/**
 * The members of a side's StatefulSet, or undefined when its client cannot
 * exec or it runs no MongoDB container (then only the generic,
 * annotation-based failover applies).
 */
export function mongoSideOf(
  side: FailoverSide,
  sts: KubeObject,
): MongoSide | undefined {
  const container = mongoContainer(sts);
  if (!side.client.exec || !container) return undefined;
  const start = Number(sts.spec?.ordinals?.start ?? 0);
  const replicas = Number(sts.spec?.replicas ?? 1);
  const env: any[] = container.env ?? [];
  return {
    side,
    namespace: side.workload.namespace,
    pods: Array.from(
      { length: Math.max(replicas, 1) },
      (_, i) => `${side.workload.name}-${start + i}`,
    ),
    container: String(container.name),
    auth: env.some(e => e?.name === 'MONGO_INITDB_ROOT_PASSWORD'),
    statefulSet: sts,
  };
}

/** Whether a member host (`<pod>.<…>:<port>`) is one of the side's pods. */
export function hostOnSide(host: string, side: MongoSide): boolean {
  return side.pods.includes(host.split(/[.:]/)[0]);
}

/** The pod a member host names. */
export function podOfHost(host: string): string {
  return host.split(/[.:]/)[0];
}

/**
 * The exec command running `js`. The script is passed as one argument;
 * with authentication it runs through the pod's shell, single-quoted, so
 * the script must hold no single quote.
 */
export function mongoshCommand(js: string, auth: boolean): string[] {
  if (!auth) return ['mongosh', '--quiet', '--eval', js];
  if (js.includes("'")) {
    throw new Error(
      `Refusing to pass a script with a single quote through the pod's shell: ${js}`,
    );
  }
  return [
    'sh',
    '-c',
    `mongosh --quiet -u "$MONGO_INITDB_ROOT_USERNAME" -p "$MONGO_INITDB_ROOT_PASSWORD" --authenticationDatabase admin --eval '${js}'`,
  ];
}

/** Default deadline of one mongosh call. */
export const MONGO_EXEC_TIMEOUT_MS = 15_000;

/**
 * Runs `JSON.stringify(<expr>)` in one pod and parses the answer; throws
 * an error naming the pod and MongoDB's message.
 */
export async function mongoJson<T = any>(
  m: MongoSide,
  pod: string,
  expr: string,
  ctx: Pick<FailoverCallContext, 'signal'>,
  timeoutMs = MONGO_EXEC_TIMEOUT_MS,
): Promise<T> {
  const result = await m.side.client.exec!(
    { namespace: m.namespace, pod, container: m.container },
    mongoshCommand(`JSON.stringify(${expr})`, m.auth),
    { timeoutMs, signal: ctx.signal },
  );
  if (result.exitCode !== 0) {
    throw new Error(
      `mongosh in ${m.side.cluster} pod ${m.namespace}/${pod} exited with ${
        result.exitCode
      }: ${result.stderr.trim() || result.stdout.trim() || 'no output'}`,
    );
  }
  const lines = result.stdout.trim().split('\n');
  try {
    return JSON.parse(lines[lines.length - 1]) as T;
  } catch {
    throw new Error(
      `mongosh in ${m.side.cluster} pod ${
        m.namespace
      }/${pod} printed no JSON: ${result.stdout.trim()}`,
    );
  }
}

/** One member in `rs.status()`. */
export interface MemberStatus {
  name: string;
  health: number;
  stateStr: string;
  optimeMs: number;
}

/** What the failover reads of the replica set from one member. */
export interface ReplicaSetStatus {
  /** The pod that answered. */
  pod: string;
  conf: { _id: string; version: number; members: any[]; [k: string]: unknown };
  members: MemberStatus[];
  primary?: MemberStatus;
}

/** The replica set as seen from the first of the side's pods that answers. */
export async function readReplicaSet(
  m: MongoSide,
  ctx: Pick<FailoverCallContext, 'signal'>,
): Promise<ReplicaSetStatus> {
  let last: unknown;
  for (const pod of m.pods) {
    try {
      const { status, conf } = await mongoJson(
        m,
        pod,
        '{status: rs.status(), conf: rs.conf()}',
        ctx,
      );
      const members: MemberStatus[] = (status.members ?? []).map((x: any) => ({
        name: String(x.name),
        health: Number(x.health),
        stateStr: String(x.stateStr),
        optimeMs: Date.parse(x.optimeDate) || 0,
      }));
      return {
        pod,
        conf,
        members,
        primary: members.find(x => x.stateStr === 'PRIMARY'),
      };
    } catch (e) {
      last = e;
    }
  }
  throw new Error(
    `no MongoDB member of ${m.side.cluster} (${m.pods.join(', ')}) answered: ${
      (last as Error)?.message ?? 'no pods'
    }`,
    { cause: last },
  );
}

/** The newest oplog position among a side's members in a status, in ms (0 when none is known). */
export function sideOptimeMs(rs: ReplicaSetStatus, m: MongoSide): number {
  return Math.max(
    0,
    ...rs.members.filter(x => hostOnSide(x.name, m)).map(x => x.optimeMs),
  );
}
