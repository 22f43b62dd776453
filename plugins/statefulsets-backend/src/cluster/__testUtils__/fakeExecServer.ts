/*
 * A local API server for `pods/exec` tests that speaks the WebSocket
 * handshake and the channel protocol itself (RFC 6455 frames, one byte of
 * channel before each payload), so the tests see exactly what a client
 * offers and sends, and can answer as any API server version would.
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import { AddressInfo, Socket } from 'node:net';

/** One exec upgrade the server accepted. */
export interface ExecCall {
  namespace: string;
  pod: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  protocol: string;
}

/** What a test's script uses to answer an exec. */
export interface ExecChannel {
  /** Sends `data` on channel 1 (stdout), 2 (stderr), 3 (status) or 255 (close). */
  send(channel: number, data: string | Buffer): void;
  /** Sends a status on channel 3. */
  status(status: object): void;
  /** Resolves when the client closes the connection. */
  closed: Promise<void>;
  /** Closes the connection without a status. */
  drop(): void;
}

/** A running fake server. */
export interface FakeExecServer {
  url: string;
  calls: ExecCall[];
  close(): Promise<void>;
}

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

function frame(opcode: number, payload: Buffer): Buffer {
  let header: Buffer;
  if (payload.length < 126) {
    header = Buffer.from([0x80 | opcode, payload.length]);
  } else if (payload.length < 65536) {
    header = Buffer.alloc(4);
    header.writeUInt8(0x80 | opcode, 0);
    header.writeUInt8(126, 1);
    header.writeUInt16BE(payload.length, 2);
  } else {
    header = Buffer.alloc(10);
    header.writeUInt8(0x80 | opcode, 0);
    header.writeUInt8(127, 1);
    header.writeBigUInt64BE(BigInt(payload.length), 2);
  }
  return Buffer.concat([header, payload]);
}

/** `Success`, or the failure status of a command that exited with `code`. */
export function exitStatus(code: number): object {
  return code === 0
    ? { metadata: {}, status: 'Success' }
    : {
        metadata: {},
        status: 'Failure',
        message: `command terminated with non-zero exit code: exit status ${code}`,
        reason: 'NonZeroExitCode',
        details: { causes: [{ reason: 'ExitCode', message: String(code) }] },
      };
}

/**
 * Starts a server offering the channel protocols `offers`; `refuse` may
 * answer an upgrade with an HTTP status instead, `run` answers an exec.
 */
export async function startFakeExecServer(options: {
  offers: string[];
  refuse?: (headers: http.IncomingHttpHeaders) => number | undefined;
  run: (call: ExecCall, channel: ExecChannel) => void;
}): Promise<FakeExecServer> {
  const calls: ExecCall[] = [];
  const sockets = new Set<Socket>();
  const server = http.createServer((_req, res) => {
    res.statusCode = 400;
    res.end();
  });
  server.on('upgrade', (req: http.IncomingMessage, socket: Socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    // The client's end of the connection ends the server's too.
    socket.on('end', () => socket.end());
    socket.on('close', () => sockets.delete(socket));
    const refusal = options.refuse?.(req.headers);
    const match =
      /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/exec\?(.*)$/.exec(
        req.url ?? '',
      );
    const wanted = String(req.headers['sec-websocket-protocol'] ?? '')
      .split(',')
      .map(p => p.trim());
    const protocol = wanted.find(p => options.offers.includes(p));
    let status = refusal;
    if (status === undefined && !match) status = 404;
    if (status === undefined && !protocol) status = 400;
    if (status !== undefined) {
      const body = JSON.stringify({ kind: 'Status', code: status });
      socket.end(
        `HTTP/1.1 ${status} Refused\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`,
      );
      return;
    }
    const accept = createHash('sha1')
      .update(`${req.headers['sec-websocket-key']}${GUID}`)
      .digest('base64');
    socket.write(
      `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\nSec-WebSocket-Protocol: ${protocol}\r\n\r\n`,
    );
    const call: ExecCall = {
      namespace: match![1],
      pod: match![2],
      query: new URLSearchParams(match![3]),
      headers: req.headers,
      protocol: protocol!,
    };
    calls.push(call);
    const closed = new Promise<void>(resolve => {
      socket.on('close', () => resolve());
      socket.on('data', (buf: Buffer) => {
        // A close frame from the client: answer it and end the connection.
        if ((buf[0] & 0x0f) === 0x8) socket.end(frame(0x8, Buffer.alloc(0)));
      });
    });
    const send = (channel: number, data: string | Buffer) => {
      if (socket.destroyed) return;
      const payload = Buffer.concat([
        Buffer.from([channel]),
        Buffer.from(data),
      ]);
      socket.write(frame(0x2, payload));
    };
    options.run(call, {
      send,
      status: s => send(3, JSON.stringify(s)),
      closed,
      drop: () => socket.destroy(),
    });
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    close: () =>
      new Promise<void>(resolve => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
