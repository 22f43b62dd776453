import { InputError } from '@backstage/errors';
import { ClusterCredentials } from './ClusterCredentials';
import { ClusterHttp } from './ClusterHttp';
import { ClusterRequestError } from './ClusterRequestError';
import { PodExec, PodExecTimeoutError } from './PodExec';
import {
  ExecChannel,
  exitStatus,
  FakeExecServer,
  startFakeExecServer,
} from './__testUtils__/fakeExecServer';

const V5 = 'v5.channel.k8s.io';
const V4 = 'v4.channel.k8s.io';

/** Credentials handing out `tokens` in turn, counting how often they are resolved. */
function credentials(url: string, tokens = ['t1']) {
  const issued: string[] = [];
  const getCredential = async () => {
    const token = tokens[issued.length] ?? tokens[tokens.length - 1];
    issued.push(token);
    return { type: 'bearer token' as const, token };
  };
  return {
    credentials: ClusterCredentials.fromStrategy(
      { name: 'eu-west', url, skipTLSVerify: true, authMetadata: {} },
      {
        getCredential,
        validateCluster: () => [],
        presentAuthMetadata: () => ({}),
      },
    ),
    resolutions: () => issued.length,
  };
}

const request = {
  namespace: 'databases',
  pod: 'orders-mysql-0',
  container: 'mysql',
  command: [
    'sh',
    '-c',
    'mysql -uroot -p"$MYSQL_ROOT_PASSWORD" -e "STOP REPLICA"',
  ],
  timeoutMs: 5_000,
};

describe('PodExec', () => {
  let server: FakeExecServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  async function start(
    run: (channel: ExecChannel) => void,
    options: {
      offers?: string[];
      refuse?: (h: Record<string, unknown>) => number | undefined;
    } = {},
  ) {
    server = await startFakeExecServer({
      offers: options.offers ?? [V5, V4],
      refuse: options.refuse,
      run: (_call, channel) => run(channel),
    });
    return server;
  }

  it('negotiates v5, captures stdout and stderr and reads a zero exit', async () => {
    const s = await start(ch => {
      ch.send(1, 'STOP');
      ch.send(1, 'PED\n');
      ch.send(2, 'warning: replica stopped\n');
      // v5 closes stdout on its own channel before the status.
      ch.send(255, Buffer.from([1]));
      ch.status(exitStatus(0));
    });
    const exec = new PodExec('eu-west', credentials(s.url).credentials);
    const result = await exec.exec(request);
    expect(result).toMatchObject({
      exitCode: 0,
      stdout: 'STOPPED\n',
      stderr: 'warning: replica stopped\n',
      truncated: false,
      protocol: V5,
    });
    expect(result.durationMs).toBeGreaterThanOrEqual(0);
    const [call] = s.calls;
    expect(call.namespace).toBe('databases');
    expect(call.pod).toBe('orders-mysql-0');
    expect(call.query.getAll('command')).toEqual(request.command);
    expect(call.query.get('container')).toBe('mysql');
    expect(call.query.get('stdin')).toBe('false');
    expect(call.headers.authorization).toBe('Bearer t1');
    expect(String(call.headers['sec-websocket-protocol'])).toMatch(
      /^v5\.channel\.k8s\.io, ?v4\.channel\.k8s\.io/,
    );
  });

  it('falls back to v4 when the API server only offers v4', async () => {
    const s = await start(
      ch => {
        ch.send(1, 'ok');
        ch.status(exitStatus(0));
      },
      { offers: [V4] },
    );
    const result = await new PodExec(
      'eu-west',
      credentials(s.url).credentials,
    ).exec(request);
    expect(result.protocol).toBe(V4);
    expect(result.stdout).toBe('ok');
  });

  it('reads a non-zero exit code from a NonZeroExitCode failure', async () => {
    const s = await start(ch => {
      ch.send(2, 'ERROR 1045 (28000): Access denied\n');
      ch.status(exitStatus(3));
    });
    const result = await new PodExec(
      'eu-west',
      credentials(s.url).credentials,
    ).exec(request);
    expect(result.exitCode).toBe(3);
    expect(result.stderr).toContain('Access denied');
  });

  it('throws when the status is a failure without an exit code', async () => {
    const s = await start(ch =>
      ch.status({
        status: 'Failure',
        reason: 'InternalError',
        message: 'executable file not found in $PATH',
      }),
    );
    const err = await new PodExec('eu-west', credentials(s.url).credentials)
      .exec(request)
      .catch(e => e);
    expect(err).toBeInstanceOf(ClusterRequestError);
    expect(err.message).toBe(
      'exec in pod databases/orders-mysql-0 of eu-west failed: executable file not found in $PATH',
    );
  });

  it('closes the socket and throws a typed timeout past the deadline', async () => {
    let closed: Promise<void> | undefined;
    const s = await start(ch => {
      closed = ch.closed;
      ch.send(1, 'still working');
    });
    const err = await new PodExec('eu-west', credentials(s.url).credentials)
      .exec({ ...request, timeoutMs: 300 })
      .catch(e => e);
    expect(err).toBeInstanceOf(PodExecTimeoutError);
    expect(err.reason).toBe('timeout');
    expect(err.cluster).toBe('eu-west');
    expect(err.pod).toBe('orders-mysql-0');
    expect(err.message).toContain(
      'exec in pod databases/orders-mysql-0 of eu-west did not finish within 300 ms: sh -c',
    );
    await expect(closed).resolves.toBeUndefined();
  });

  it("closes the socket when the run's signal aborts and rethrows its reason", async () => {
    let closed: Promise<void> | undefined;
    const s = await start(ch => {
      closed = ch.closed;
    });
    const controller = new AbortController();
    const stop = new Error('the engine is stopping');
    const pending = new PodExec('eu-west', credentials(s.url).credentials).exec(
      { ...request, signal: controller.signal },
    );
    while (s.calls.length === 0) await new Promise(r => setTimeout(r, 10));
    controller.abort(stop);
    await expect(pending).rejects.toBe(stop);
    await expect(closed).resolves.toBeUndefined();
  });

  it('keeps the tail of output longer than the bound and marks the cut', async () => {
    const s = await start(ch => {
      ch.send(1, 'a'.repeat(20));
      ch.send(1, 'the end');
      ch.status(exitStatus(0));
    });
    const result = await new PodExec(
      'eu-west',
      credentials(s.url).credentials,
    ).exec({ ...request, maxOutputBytes: 10 });
    expect(result.truncated).toBe(true);
    expect(result.stdout).toBe('[… 17 earlier bytes dropped]\naaathe end');
  });

  it('drops the credentials on a 401 and resolves them anew for the next exec', async () => {
    const s = await start(ch => ch.status(exitStatus(0)), {
      refuse: h => (h.authorization === 'Bearer old' ? 401 : undefined),
    });
    const creds = credentials(s.url, ['old', 'new']);
    const exec = new PodExec('eu-west', creds.credentials);
    const err = await exec.exec(request).catch(e => e);
    expect(err).toBeInstanceOf(ClusterRequestError);
    expect(err).toMatchObject({ reason: 'unauthorized', statusCode: 401 });
    expect(err.message).toContain('of eu-west: HTTP 401');
    await expect(exec.exec(request)).resolves.toMatchObject({ exitCode: 0 });
    expect(creds.resolutions()).toBe(2);
  });

  it('sends the impersonated identity on the upgrade and names it when refused', async () => {
    const s = await start(ch => ch.status(exitStatus(0)), {
      refuse: h => (h['impersonate-user'] === 'bob' ? 403 : undefined),
    });
    const http = new ClusterHttp('eu-west', credentials(s.url).credentials, {
      timeoutMs: 1_000,
    });
    await http
      .impersonating({ user: 'ann', groups: ['dbas', 'oncall'] })
      .exec(request);
    expect(s.calls[0].headers['impersonate-user']).toBe('ann');
    expect(s.calls[0].headers['impersonate-group']).toBe('dbas, oncall');
    const err = await http
      .impersonating({ user: 'bob', groups: [] })
      .exec(request)
      .catch(e => e);
    expect(err).toMatchObject({ reason: 'forbidden', statusCode: 403 });
    expect(err.message).toContain(
      "the cluster's RBAC does not let user bob (no groups) create pods/exec",
    );
  });

  it('maps a connection that fails or closes early to unreachable, naming the cluster', async () => {
    const s = await start(ch => ch.drop());
    const creds = credentials(s.url).credentials;
    const early = await new PodExec('eu-west', creds)
      .exec(request)
      .catch(e => e);
    expect(early).toMatchObject({ reason: 'unreachable' });
    expect(early.message).toContain(
      "exec in pod databases/orders-mysql-0 of eu-west: the connection closed before the command's exit status arrived",
    );
    const url = s.url;
    await s.close();
    server = undefined;
    const refused = await new PodExec('eu-west', credentials(url).credentials)
      .exec(request)
      .catch(e => e);
    expect(refused).toMatchObject({ reason: 'unreachable' });
    expect(refused.message).toMatch(/of eu-west: .*ECONNREFUSED/);
  });

  it('refuses a command carrying a password before connecting', async () => {
    const s = await start(ch => ch.status(exitStatus(0)));
    const err = await new PodExec('eu-west', credentials(s.url).credentials)
      .exec({ ...request, command: ['mysql', '-uroot', '-phunter2'] })
      .catch(e => e);
    expect(err).toBeInstanceOf(InputError);
    expect(err.message).not.toContain('hunter2');
    expect(s.calls).toHaveLength(0);
  });
});
