/*
 * The remote-command WebSocket protocol kube-apiserver speaks for
 * `pods/exec` (v4.channel.k8s.io and v5.channel.k8s.io): binary frames whose
 * first byte is the channel, stdout/stderr out, stdin in (v5 closes it with
 * a 255 frame), and the exit Status on the error channel before the close.
 */
import type WebSocket from 'ws';

/** The subprotocols served, most preferred first. */
export const EXEC_PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io'];

/** Channel numbers. */
export const CHANNEL = {
  stdin: 0,
  stdout: 1,
  stderr: 2,
  error: 3,
  resize: 4,
  close: 255,
} as const;

/** The protocol the server picks from a client's offer, if any. */
export function pickProtocol(offered: string[]): string | undefined {
  return EXEC_PROTOCOLS.find(p => offered.includes(p));
}

/** The Status written on the error channel for an exit code. */
export function exitStatus(
  code: number,
  command: string[],
): Record<string, unknown> {
  if (code === 0) return { metadata: {}, status: 'Success' };
  return {
    metadata: {},
    status: 'Failure',
    message: `command terminated with non-zero exit code: error executing command [${command.join(
      ' ',
    )}], exit code ${code}`,
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: String(code) }] },
  };
}

/** One exec session over an upgraded connection. */
export class ExecChannels {
  #ws: WebSocket;
  #stdinChunks: Buffer[] = [];
  #stdinDone: Promise<void>;
  #endStdin!: () => void;

  constructor(
    ws: WebSocket,
    readonly opts: { stdout: boolean; stderr: boolean; stdin: boolean },
  ) {
    this.#ws = ws;
    this.#stdinDone = new Promise(r => {
      this.#endStdin = r;
    });
    if (!opts.stdin) this.#endStdin();
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      const buf = isBinary ? data : Buffer.from(data.toString(), 'utf8');
      if (buf.length === 0) return;
      const ch = buf[0];
      if (ch === CHANNEL.stdin) this.#stdinChunks.push(buf.subarray(1));
      else if (ch === CHANNEL.close && buf[1] === CHANNEL.stdin)
        this.#endStdin();
    });
    ws.on('close', () => this.#endStdin());
  }

  /** Everything sent on stdin, once the client closes it (or the connection). */
  async stdin(): Promise<string> {
    await this.#stdinDone;
    return Buffer.concat(this.#stdinChunks).toString('utf8');
  }

  /** Whether the connection has closed. */
  gone(): boolean {
    return this.#ws.readyState !== this.#ws.OPEN;
  }

  #send(channel: number, text: string): void {
    if (this.#ws.readyState !== this.#ws.OPEN || !text) return;
    this.#ws.send(Buffer.concat([Buffer.from([channel]), Buffer.from(text)]));
  }

  stdout(text: string): void {
    if (this.opts.stdout) this.#send(CHANNEL.stdout, text);
  }

  stderr(text: string): void {
    if (this.opts.stderr) this.#send(CHANNEL.stderr, text);
  }

  /** Writes the exit Status and closes the connection. */
  finish(code: number, command: string[]): void {
    this.#send(CHANNEL.error, JSON.stringify(exitStatus(code, command)));
    if (this.#ws.readyState === this.#ws.OPEN) this.#ws.close(1000);
  }
}
