/*
 * `pods/exec` on a cluster's write edge, done as kubectl does it: a
 * WebSocket to the pod's `exec` subresource offering `v5.channel.k8s.io`
 * first and older channel protocols after it (client-node's
 * WebSocketHandler), stdout and stderr captured up to a bound, the exit
 * code read from the status channel, and one deadline over the handshake
 * and the command that closes the socket when it passes. The write
 * credentials are resolved like every other write's (a 401 drops them) and
 * an impersonating edge sends its identity on the upgrade request.
 */
import { PassThrough, Writable } from 'node:stream';
import { Exec, KubeConfig, V1Status } from '@kubernetes/client-node';
// The handler Exec uses by default, not re-exported by the package's index;
// it is made here to give it this exec's streams (its default closes
// process.stdout when a v5 server closes a stream).
import {
  WebSocketHandler,
  WebSocketInterface,
} from '@kubernetes/client-node/dist/web-socket-handler.js';
import { ClusterCredentials } from './ClusterCredentials';
import { ClusterRequestError, reasonForStatus } from './ClusterRequestError';
import { assertExecTarget } from './PodExecCommand';
import {
  describeIdentity,
  impersonationHeaders,
  WriteIdentity,
} from './writeIdentity';

/** One command to run in a pod's container. */
export interface PodExecRequest {
  namespace: string;
  pod: string;
  /** The container; the pod's default one when absent. */
  container?: string;
  /** The program and its arguments (no shell unless the command names one). */
  command: string[];
  /** Deadline over the handshake and the command, in milliseconds. */
  timeoutMs: number;
  /** Bytes kept of each of stdout and stderr (their tail); default 64 KiB. */
  maxOutputBytes?: number;
  /** Aborts the command (the socket is closed) with the signal's reason. */
  signal?: AbortSignal;
}

/** What a command did. */
export interface PodExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  durationMs: number;
  /** Whether stdout or stderr was longer than the bound (its start is dropped). */
  truncated: boolean;
  /** The channel protocol the API server chose, e.g. `v5.channel.k8s.io`. */
  protocol: string;
}

/** A command that did not finish before its deadline (the socket was closed). */
export class PodExecTimeoutError extends ClusterRequestError {
  readonly cluster: string;
  readonly namespace: string;
  readonly pod: string;
  readonly command: string[];

  constructor(cluster: string, request: PodExecRequest) {
    super(
      'timeout',
      `exec in pod ${request.namespace}/${
        request.pod
      } of ${cluster} did not finish within ${
        request.timeoutMs
      } ms: ${request.command.join(' ')}`,
    );
    this.name = 'PodExecTimeoutError';
    this.cluster = cluster;
    this.namespace = request.namespace;
    this.pod = request.pod;
    this.command = request.command;
  }
}

const DEFAULT_MAX_OUTPUT = 64 * 1024;

/** A stream keeping the last `max` bytes written to it. */
class TailSink extends Writable {
  #chunks: Buffer[] = [];
  #kept = 0;
  dropped = 0;

  constructor(readonly max: number) {
    super();
    // A frame after the status (or after the deadline) must not crash the process.
    this.on('error', () => {});
  }

  _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.#chunks.push(chunk);
    this.#kept += chunk.length;
    if (this.#kept > this.max) {
      const all = Buffer.concat(this.#chunks);
      const cut = all.length - this.max;
      this.dropped += cut;
      this.#chunks = [all.subarray(cut)];
      this.#kept = this.max;
    }
    done();
  }

  text(): string {
    const body = Buffer.concat(this.#chunks).toString('utf8');
    return this.dropped > 0
      ? `[… ${this.dropped} earlier bytes dropped]\n${body}`
      : body;
  }
}

/** The exit code of a status-channel status; undefined when it is no exit. */
export function exitCodeOf(status: V1Status): number | undefined {
  if (status.status === 'Success') return 0;
  if (status.reason === 'NonZeroExitCode') {
    const cause = status.details?.causes?.find(c => c.reason === 'ExitCode');
    const code = Number(cause?.message);
    if (Number.isInteger(code)) return code;
  }
  return undefined;
}

/** Runs commands in pods of one cluster over `pods/exec`. */
export class PodExec {
  readonly cluster: string;
  readonly #credentials: ClusterCredentials;
  readonly #identity?: WriteIdentity;
  readonly #now: () => number;

  constructor(
    cluster: string,
    credentials: ClusterCredentials,
    options: { identity?: WriteIdentity; now?: () => number } = {},
  ) {
    this.cluster = cluster;
    this.#credentials = credentials;
    this.#identity = options.identity;
    this.#now = options.now ?? Date.now;
  }

  /** Runs the command; resolves with its exit code whatever it is. */
  async exec(request: PodExecRequest): Promise<PodExecResult> {
    assertExecTarget(request);
    const started = this.#now();
    const { kubeConfig } = await this.#credentials.resolve();
    const max = request.maxOutputBytes ?? DEFAULT_MAX_OUTPUT;
    const stdout = new TailSink(max);
    const stderr = new TailSink(max);
    let socket: { terminate(): void; protocol: string } | undefined;
    const inner = new WebSocketHandler(
      this.#upgradeConfig(kubeConfig, request.timeoutMs),
      undefined,
      { stdin: new PassThrough(), stdout, stderr },
    );
    // client-node hands a v5 close-stream frame (channel 255) to the stream
    // handler too, which throws on the unknown channel; the handler above
    // has already closed the stream, so it is skipped here.
    const handler: WebSocketInterface = {
      connect: (path, text, binary) =>
        inner.connect(
          path,
          text,
          binary &&
            ((channel, data) => channel === 255 || binary(channel, data)),
        ),
    };
    const where = `exec in pod ${request.namespace}/${request.pod} of ${this.cluster}`;
    return new Promise<PodExecResult>((resolve, reject) => {
      let settled = false;
      const cleanups: (() => void)[] = [];
      const finish = (outcome: () => void) => {
        if (settled) return;
        settled = true;
        for (const cleanup of cleanups) cleanup();
        outcome();
      };
      // Past the deadline or on an abort the command may still run: the
      // connection is cut (a socket not open yet is cut when it opens).
      const cut = (reason: unknown) =>
        finish(() => {
          socket?.terminate();
          reject(reason);
        });
      const timer = setTimeout(
        () => cut(new PodExecTimeoutError(this.cluster, request)),
        request.timeoutMs,
      );
      const onAbort = () => cut(request.signal!.reason);
      cleanups.push(
        () => clearTimeout(timer),
        () => request.signal?.removeEventListener('abort', onAbort),
      );
      if (request.signal?.aborted) {
        onAbort();
        return;
      }
      request.signal?.addEventListener('abort', onAbort);
      // The status can arrive before the open socket is handed over (frames
      // sent with the handshake's answer); the result needs both.
      let status: V1Status | undefined;
      const conclude = () => {
        if (!status || !socket) return;
        const exitCode = exitCodeOf(status);
        const failed = status.message ?? status.reason ?? 'no exit code';
        const protocol = socket.protocol;
        finish(() => {
          if (exitCode === undefined) {
            reject(
              new ClusterRequestError('error', `${where} failed: ${failed}`),
            );
            return;
          }
          resolve({
            exitCode,
            stdout: stdout.text(),
            stderr: stderr.text(),
            durationMs: this.#now() - started,
            truncated: stdout.dropped > 0 || stderr.dropped > 0,
            protocol,
          });
        });
      };
      const onStatus = (received: V1Status) => {
        status = received;
        conclude();
      };
      const closedEarly = () =>
        finish(() =>
          reject(
            new ClusterRequestError(
              'unreachable',
              `${where}: the connection closed before the command's exit status arrived`,
            ),
          ),
        );
      new Exec(kubeConfig, handler)
        .exec(
          request.namespace,
          request.pod,
          request.container as string,
          request.command,
          stdout,
          stderr,
          null,
          false,
          onStatus,
        )
        .then(
          ws => {
            socket = ws;
            // Opened after the deadline or an abort: nobody waits for it.
            if (settled) {
              ws.terminate();
              return;
            }
            conclude();
            if (ws.readyState === ws.CLOSED) closedEarly();
            else ws.on('close', closedEarly);
          },
          err => finish(() => reject(this.#refusal(where, err))),
        );
    });
  }

  /**
   * The KubeConfig the upgrade request is made with: the credentials' own,
   * plus the impersonation headers (client-node's `as` carries a user but no
   * groups) and a handshake deadline, so an upgrade that hangs past the
   * command's deadline gives up by itself.
   */
  #upgradeConfig(kubeConfig: KubeConfig, timeoutMs: number): KubeConfig {
    const headers = this.#identity ? impersonationHeaders(this.#identity) : {};
    const config = Object.create(kubeConfig) as KubeConfig;
    config.applyToHTTPSOptions = async (opts: any) => {
      await kubeConfig.applyToHTTPSOptions(opts);
      opts.headers = { ...(opts.headers ?? {}), ...headers };
      opts.handshakeTimeout = timeoutMs;
    };
    return config;
  }

  /** A failed upgrade as a typed error; a 401 drops the cached credentials. */
  #refusal(where: string, err: unknown): ClusterRequestError {
    const text = (err as Error)?.message ?? String(err);
    // ws reports a refused upgrade as "Unexpected server response: <status>".
    const answered = /Unexpected server response: (\d+)/.exec(text);
    if (!answered) {
      return new ClusterRequestError('unreachable', `${where}: ${text}`, {
        cause: err,
      });
    }
    const status = Number(answered[1]);
    if (status === 401) this.#credentials.invalidate();
    const who = this.#identity
      ? describeIdentity(this.#identity)
      : "the backend's write credentials";
    const hint: Record<number, string> = {
      401: ': the cluster did not accept the write credentials',
      403: `: the cluster's RBAC does not let ${who} create pods/exec in this namespace`,
      404: ': no such pod (or the API server does not serve pods/exec)',
    };
    const message = `${where}: HTTP ${status}${hint[status] ?? ''}`;
    return new ClusterRequestError(reasonForStatus(status), message, {
      statusCode: status,
      cause: err,
    });
  }
}
