import { InputError } from '@backstage/errors';
import { FailoverChange } from '@multicluster/backstage-plugin-statefulsets-common';
import {
  ClusterWriteClient,
  ExecResult,
} from '@multicluster/backstage-plugin-statefulsets-node';
import { PodExecTimeoutError } from '../cluster/PodExec';
import {
  effective,
  journaledClient,
  OUTPUT_TAIL_CHARS,
  outputTail,
} from './changeJournal';

const target = {
  namespace: 'databases',
  pod: 'orders-mysql-0',
  container: 'mysql',
};
const command = [
  'sh',
  '-c',
  'mysql -uroot -p"$MYSQL_ROOT_PASSWORD" -e "STOP REPLICA"',
];

function fakeClient(exec: ClusterWriteClient['exec']): ClusterWriteClient {
  return {
    cluster: 'eu-west',
    pathOf: () => '/',
    get: async () => undefined,
    mergePatch: async <T>() => ({} as T),
    create: async <T>() => ({} as T),
    delete: async () => {},
    exec,
  };
}

/** A journal recording a copy of each entry as it was written. */
function recorder() {
  const writes: { change: FailoverChange; update: boolean }[] = [];
  const record = async (change: FailoverChange, update: boolean) => {
    writes.push({ change: structuredClone(change), update });
  };
  return { writes, record: () => record };
}

describe('journaledClient exec', () => {
  let clock = 1_000;
  const now = () => clock;

  it('journals the command before it runs, then its exit code, duration and output tail', async () => {
    const journal = recorder();
    const result: ExecResult = {
      exitCode: 1,
      stdout: 'Query OK\n',
      stderr: 'ERROR 3021: replica is running\n',
      durationMs: 42,
      truncated: false,
    };
    const exec = jest.fn(async () => {
      // The attempt is in the journal before the command reaches the pod.
      expect(journal.writes).toHaveLength(1);
      return result;
    });
    const client = journaledClient(fakeClient(exec), journal.record, now);
    await expect(
      client.exec!(target, command, { timeoutMs: 5_000 }),
    ).resolves.toBe(result);
    expect(exec).toHaveBeenCalledWith(target, command, { timeoutMs: 5_000 });
    expect(journal.writes[0]).toEqual({
      update: false,
      change: {
        cluster: 'eu-west',
        object: 'Pod databases/orders-mysql-0',
        path: '/api/v1/namespaces/databases/pods/orders-mysql-0/exec',
        action: 'exec',
        state: 'attempted',
        at: new Date(1_000).toISOString(),
        previous: null,
        command,
        container: 'mysql',
      },
    });
    expect(journal.writes[1]).toMatchObject({
      update: true,
      change: {
        action: 'exec',
        state: 'applied',
        exitCode: 1,
        durationMs: 42,
        output: 'Query OK\n[stderr]\nERROR 3021: replica is running\n',
      },
    });
  });

  it('journals a timed-out exec as unknown, with its duration, and rethrows', async () => {
    const journal = recorder();
    const timeout = new PodExecTimeoutError('eu-west', {
      ...target,
      command,
      timeoutMs: 300,
    });
    const client = journaledClient(
      fakeClient(async () => {
        clock += 300;
        throw timeout;
      }),
      journal.record,
      now,
    );
    await expect(client.exec!(target, command)).rejects.toBe(timeout);
    expect(journal.writes[1].change).toMatchObject({
      state: 'unknown',
      durationMs: 300,
    });
    expect(journal.writes[1].change.exitCode).toBeUndefined();
  });

  it('refuses a command with an inline password before the journal or the pod sees it', async () => {
    const journal = recorder();
    const exec = jest.fn();
    const client = journaledClient(fakeClient(exec), journal.record, now);
    await expect(
      client.exec!(target, ['mysql', '-uroot', '-phunter2']),
    ).rejects.toBeInstanceOf(InputError);
    expect(journal.writes).toHaveLength(0);
    expect(exec).not.toHaveBeenCalled();
  });

  it('offers exec only when the client it wraps can exec', () => {
    const client = journaledClient(fakeClient(undefined), () => undefined, now);
    expect(client.exec).toBeUndefined();
  });

  it('leaves execs out of what the journal undoes', () => {
    const change = (action: FailoverChange['action']): FailoverChange => ({
      cluster: 'eu-west',
      object: 'x',
      path: '/x',
      action,
      state: 'applied',
      at: '',
    });
    expect(
      effective([change('exec'), change('patch')]).map(c => c.action),
    ).toEqual(['patch']);
  });
});

describe('outputTail', () => {
  it('keeps the last characters and marks the cut', () => {
    const tail = outputTail('x'.repeat(OUTPUT_TAIL_CHARS + 10), '');
    expect(tail).toBe(`[…]${'x'.repeat(OUTPUT_TAIL_CHARS)}`);
    expect(outputTail('', 'boom')).toBe('[stderr]\nboom');
  });
});
