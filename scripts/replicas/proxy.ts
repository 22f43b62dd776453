/*
 * The load balancer in front of the replicas: plain HTTP and WebSocket
 * upgrades (the signals channel), round-robin per request, unless the test
 * pins a path to one replica. It counts which replica answered what.
 */
import http from 'node:http';
import net from 'node:net';

export interface Upstream {
  name: string;
  port: number;
}

export class RoundRobinProxy {
  /** Requests per replica and path prefix, e.g. served['a']['/api/multicluster-statefulsets']. */
  readonly served = new Map<string, Map<string, number>>();
  /** The last requests: when, to which replica, what, and the answer's status. */
  readonly recent: string[] = [];
  #next = 0;
  #pins: Array<{ prefix: string; upstream: string }> = [];
  readonly #server: http.Server;
  readonly #sockets = new Set<net.Socket>();

  constructor(private readonly upstreams: Upstream[]) {
    this.#server = http.createServer((req, res) => {
      const up = this.#pick(req.url ?? '/');
      const out = http.request(
        {
          host: '127.0.0.1',
          port: up.port,
          method: req.method,
          path: req.url,
          headers: req.headers,
        },
        answer => {
          this.recent.push(
            `${new Date().toISOString()} ${up.name} ${req.method} ${req.url} ${
              answer.statusCode
            }`,
          );
          if (this.recent.length > 40) this.recent.shift();
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      out.on('error', err => {
        if (!res.headersSent) res.writeHead(502);
        res.end(`replica ${up.name}: ${err.message}`);
      });
      req.pipe(out);
    });
    this.#server.on('upgrade', (req, socket, head) => {
      const up = this.#pick(req.url ?? '/');
      this.#remember(`${up.name} UPGRADE ${req.url}`);
      const upstream = net.connect(up.port, '127.0.0.1', () => {
        const headers = Object.entries(req.headers).flatMap(([k, v]) =>
          (Array.isArray(v) ? v : [v]).map(value => `${k}: ${value}`),
        );
        upstream.write(
          `${req.method} ${req.url} HTTP/1.1\r\n${headers.join(
            '\r\n',
          )}\r\n\r\n`,
        );
        upstream.write(head);
        upstream.pipe(socket as net.Socket).pipe(upstream);
      });
      this.#track(upstream);
      this.#track(socket as net.Socket);
      const close = () => {
        upstream.destroy();
        socket.destroy();
      };
      upstream.on('error', close);
      socket.on('error', close);
      upstream.on('close', close);
      socket.on('close', close);
    });
    this.#server.on('connection', s => this.#track(s));
  }

  listen(port: number): Promise<void> {
    return new Promise(resolve =>
      this.#server.listen(port, '127.0.0.1', () => resolve()),
    );
  }

  /** Sends requests whose path starts with `prefix` to one replica only. */
  pin(prefix: string, upstream: string): void {
    this.#pins.push({ prefix, upstream });
  }

  unpinAll(): void {
    this.#pins = [];
  }

  /** Ends every open connection (the browser's WebSocket too). */
  dropConnections(): void {
    for (const s of this.#sockets) s.destroy();
  }

  count(upstream: string, prefix: string): number {
    let n = 0;
    for (const [p, c] of this.served.get(upstream) ?? []) {
      if (p.startsWith(prefix)) n += c;
    }
    return n;
  }

  close(): Promise<void> {
    this.dropConnections();
    return new Promise(resolve => this.#server.close(() => resolve()));
  }

  #remember(line: string) {
    this.recent.push(`${new Date().toISOString()} ${line}`);
    if (this.recent.length > 60) this.recent.shift();
  }

  #track(s: net.Socket) {
    this.#sockets.add(s);
    s.on('close', () => this.#sockets.delete(s));
  }

  #pick(url: string): Upstream {
    const pinned = this.#pins.find(p => url.startsWith(p.prefix));
    const up = pinned
      ? this.upstreams.find(u => u.name === pinned.upstream)!
      : this.upstreams[this.#next++ % this.upstreams.length];
    const key = url.split('?')[0].split('/').slice(0, 4).join('/');
    const perPath = this.served.get(up.name) ?? new Map<string, number>();
    perPath.set(key, (perPath.get(key) ?? 0) + 1);
    this.served.set(up.name, perPath);
    return up;
  }
}
