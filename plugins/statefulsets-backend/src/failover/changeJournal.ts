/*
 * The change journal of a failover run: every write a step makes to a
 * cluster is recorded when it is made (which cluster, which object, what the
 * written fields held before, whether the API server accepted it), so that a
 * rollback undoes exactly what was changed, and a cluster that was never
 * changed is never "to restore". A command run in a pod (`exec`) is
 * journaled with its command, exit status, duration and output tail; the
 * journal cannot undo it, the provider that ran it does.
 */
import { FailoverChange } from '@multicluster/backstage-plugin-statefulsets-common';
import {
  ClusterWriteClient,
  ExecOptions,
  ExecTarget,
} from '@multicluster/backstage-plugin-statefulsets-node';
import { ClusterRequestError } from '../cluster/ClusterRequestError';
import { assertExecTarget } from '../cluster/PodExecCommand';

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * The pre-image of a merge patch: for every field the patch sets, the value
 * `current` held (null when absent), so that applying it as a merge patch
 * puts those fields back. The resourceVersion a patch carries for
 * optimistic concurrency is not part of it.
 */
export function preImage(current: unknown, patch: unknown): Json {
  const out: Json = {};
  if (!isObject(patch)) return out;
  const cur = isObject(current) ? current : {};
  for (const [key, value] of Object.entries(patch)) {
    if (key === 'resourceVersion') continue;
    if (isObject(value) && isObject(cur[key])) {
      const nested = preImage(cur[key], value);
      if (Object.keys(nested).length) out[key] = nested;
    } else {
      out[key] = cur[key] === undefined ? null : cur[key];
    }
  }
  return out;
}

/** `Kind namespace/name` of an object, or its path when it has no kind. */
function describe(obj: unknown, path: string): string {
  const o = obj as
    | { kind?: string; metadata?: { namespace?: string; name?: string } }
    | undefined;
  if (o?.kind && o.metadata?.name) {
    return `${o.kind} ${
      o.metadata.namespace ? `${o.metadata.namespace}/` : ''
    }${o.metadata.name}`;
  }
  return path;
}

/**
 * What a failed write means for the object: `refused` when the request
 * certainly did not change it (no connection, or the API server answered
 * with an error), `unknown` when the answer was lost (a timeout).
 */
export function writeStateOf(err: unknown): FailoverChange['state'] {
  if (err instanceof ClusterRequestError) {
    if (err.reason === 'timeout') return 'unknown';
    return 'refused';
  }
  const code = (err as { code?: string })?.code;
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND') return 'refused';
  return 'unknown';
}

/** Whether an error says the cluster did not answer (so a change there waits for it to return). */
export function isUnreachable(err: unknown): boolean {
  if (err instanceof ClusterRequestError) {
    return err.reason === 'unreachable' || err.reason === 'timeout';
  }
  const code = (err as { code?: string })?.code;
  return (
    code === 'ECONNREFUSED' ||
    code === 'ECONNRESET' ||
    code === 'ETIMEDOUT' ||
    /timed out|did not answer/i.test((err as Error)?.message ?? '')
  );
}

/**
 * A client whose writes are journaled through `record`, called with the
 * change before the write (state `attempted`) and again once its fate is
 * known. When `record` is absent (outside a step) writes pass unrecorded.
 */
export function journaledClient(
  client: ClusterWriteClient,
  record: () =>
    | ((change: FailoverChange, update: boolean) => Promise<void>)
    | undefined,
  now: () => number,
): ClusterWriteClient {
  const write = async <T>(
    action: FailoverChange['action'],
    path: string,
    body: unknown,
    perform: () => Promise<T>,
  ): Promise<T> => {
    const journal = record();
    if (!journal) return perform();
    const current =
      action === 'create' ? undefined : await client.get<Json>(path);
    const name = (body as { metadata?: { name?: string } })?.metadata?.name;
    const objectPath =
      action === 'create' && name ? `${path.replace(/\/$/, '')}/${name}` : path;
    const change: FailoverChange = {
      cluster: client.cluster,
      object: describe(current ?? body, objectPath),
      path: objectPath,
      action,
      state: 'attempted',
      at: new Date(now()).toISOString(),
      previous: null,
    };
    if (action === 'patch') change.previous = preImage(current, body);
    if (action === 'delete') change.previous = current ?? null;
    await journal(change, false);
    try {
      const result = await perform();
      change.state = 'applied';
      await journal(change, true);
      return result;
    } catch (err) {
      change.state = writeStateOf(err);
      await journal(change, true);
      throw err;
    }
  };
  const exec = async (
    target: ExecTarget,
    command: string[],
    options?: ExecOptions,
  ) => {
    // Refused before the journal sees it: a credential on the command line
    // would be stored with the run.
    assertExecTarget({ ...target, command });
    const perform = () => client.exec!(target, command, options);
    const journal = record();
    if (!journal) return perform();
    const started = now();
    const change: FailoverChange = {
      cluster: client.cluster,
      object: `Pod ${target.namespace}/${target.pod}`,
      path: `/api/v1/namespaces/${target.namespace}/pods/${target.pod}/exec`,
      action: 'exec',
      state: 'attempted',
      at: new Date(started).toISOString(),
      previous: null,
      command: [...command],
      ...(target.container ? { container: target.container } : {}),
    };
    await journal(change, false);
    try {
      const result = await perform();
      change.state = 'applied';
      change.exitCode = result.exitCode;
      change.durationMs = result.durationMs;
      change.output = outputTail(result.stdout, result.stderr);
      await journal(change, true);
      return result;
    } catch (err) {
      change.state = writeStateOf(err);
      change.durationMs = now() - started;
      await journal(change, true);
      throw err;
    }
  };
  return {
    cluster: client.cluster,
    pathOf: ref => client.pathOf(ref),
    get: path => client.get(path),
    mergePatch: (path, patch) =>
      write('patch', path, patch, () => client.mergePatch(path, patch)),
    create: (path, body) =>
      write('create', path, body, () => client.create(path, body)),
    delete: path => write('delete', path, undefined, () => client.delete(path)),
    ...(client.exec ? { exec } : {}),
  };
}

/** Characters of an exec's output kept in the journal. */
export const OUTPUT_TAIL_CHARS = 2000;

/** The last characters of an exec's stdout and stderr, for the journal. */
export function outputTail(stdout: string, stderr: string): string {
  const text = stderr
    ? `${stdout}${
        stdout && !stdout.endsWith('\n') ? '\n' : ''
      }[stderr]\n${stderr}`
    : stdout;
  return text.length > OUTPUT_TAIL_CHARS
    ? `[…]${text.slice(text.length - OUTPUT_TAIL_CHARS)}`
    : text;
}

/** Strips what the API server owns from an object before it is created again. */
function recreatable(obj: Json): Json {
  const metadata = { ...((obj.metadata as Json) ?? {}) };
  for (const key of [
    'resourceVersion',
    'uid',
    'creationTimestamp',
    'generation',
    'managedFields',
    'deletionTimestamp',
  ]) {
    delete metadata[key];
  }
  const { status: _status, ...rest } = obj;
  return { ...rest, metadata };
}

/** Puts back what one journaled change changed. */
export async function undoChange(
  client: ClusterWriteClient,
  change: FailoverChange,
): Promise<void> {
  switch (change.action) {
    case 'patch':
      if (isObject(change.previous) && Object.keys(change.previous).length) {
        // Gone meanwhile: there is nothing left to put back.
        if (!(await client.get(change.path))) return;
        await client.mergePatch(change.path, change.previous);
      }
      return;
    case 'create':
      await client.delete(change.path);
      return;
    case 'delete':
      if (isObject(change.previous) && !(await client.get(change.path))) {
        const collection = change.path.slice(0, change.path.lastIndexOf('/'));
        await client.create(collection, recreatable(change.previous));
      }
      return;
    // An exec is undone by the provider that ran it, not by the journal.
    case 'exec':
    default:
      return;
  }
}

/** The changes of a list that may have reached their cluster and the journal can undo. */
export function effective(
  changes: FailoverChange[] | undefined,
): FailoverChange[] {
  return (changes ?? []).filter(
    c =>
      c.action !== 'exec' &&
      (c.state === 'applied' ||
        c.state === 'unknown' ||
        c.state === 'attempted'),
  );
}
