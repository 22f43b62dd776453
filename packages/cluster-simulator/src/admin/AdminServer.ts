/*
 * The admin HTTP API of a running simulator: per-cluster faults, replication
 * partitions, and the levers tests use to force what real clusters do on
 * their own (compacting the watch history, dropping watch connections).
 */
import http, { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Faults, parseFaults } from '../server/faults';
import { readBody, sendJson } from '../server/http';

/** What the admin API acts on. */
export interface AdminTarget {
  clusterNames(): string[];
  describe(): unknown;
  setFaults(name: string, faults: Faults): Promise<void>;
  partition(from: string, to: string): void;
  heal(): void;
  partitions(): Array<{ from: string; to: string }>;
  compact(name: string): void;
  dropWatches(name: string): void;
}

/** The admin server. */
export class AdminServer {
  #server: http.Server;
  #target: AdminTarget;
  #host: string;
  #port = 0;

  constructor(target: AdminTarget, host: string) {
    this.#target = target;
    this.#host = host;
    this.#server = http.createServer((req, res) => {
      this.#handle(req, res).catch(e =>
        sendJson(res, 500, { error: String((e as Error)?.message ?? e) }),
      );
    });
  }

  /** `http://host:port`. */
  get url(): string {
    return `http://${this.#host}:${this.#port}`;
  }

  /** Starts listening (port 0 picks a free one). */
  async listen(port: number): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(port, this.#host, () => resolve());
    });
    this.#port = (this.#server.address() as AddressInfo).port;
  }

  /** Stops the server. */
  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>(resolve => this.#server.close(() => resolve()));
  }

  async #json(req: IncomingMessage): Promise<any> {
    const raw = (await readBody(req, 1024 * 1024)).toString('utf8').trim();
    if (!raw) return {};
    return JSON.parse(raw);
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const segs = url.pathname.split('/').filter(Boolean);
    const method = req.method ?? 'GET';
    const t = this.#target;
    const known = (name: string) => {
      if (!t.clusterNames().includes(name)) {
        sendJson(res, 404, { error: `unknown cluster "${name}"` });
        return false;
      }
      return true;
    };
    if (segs[0] === 'clusters' && segs.length === 1 && method === 'GET') {
      sendJson(res, 200, t.describe());
      return;
    }
    if (segs[0] === 'clusters' && segs.length === 3) {
      const name = segs[1];
      if (!known(name)) return;
      if (segs[2] === 'faults' && method === 'PUT') {
        let faults: Faults;
        try {
          faults = parseFaults(await this.#json(req));
        } catch (e) {
          sendJson(res, 400, { error: (e as Error).message });
          return;
        }
        await t.setFaults(name, faults);
        sendJson(res, 200, { name, faults });
        return;
      }
      if (segs[2] === 'faults' && method === 'DELETE') {
        await t.setFaults(name, {});
        sendJson(res, 200, { name, faults: {} });
        return;
      }
      if (segs[2] === 'compact' && method === 'POST') {
        t.compact(name);
        sendJson(res, 200, { name, compacted: true });
        return;
      }
      if (segs[2] === 'drop-watches' && method === 'POST') {
        t.dropWatches(name);
        sendJson(res, 200, { name, dropped: true });
        return;
      }
    }
    if (segs[0] === 'partitions' && segs.length === 1) {
      if (method === 'GET') {
        sendJson(res, 200, t.partitions());
        return;
      }
      if (method === 'PUT') {
        let body: any;
        try {
          body = await this.#json(req);
        } catch {
          sendJson(res, 400, { error: 'body must be JSON { from, to }' });
          return;
        }
        if (typeof body?.from !== 'string' || typeof body?.to !== 'string') {
          sendJson(res, 400, {
            error: 'body must be { from, to } with cluster names',
          });
          return;
        }
        if (!known(body.from) || !known(body.to)) return;
        t.partition(body.from, body.to);
        sendJson(res, 200, t.partitions());
        return;
      }
      if (method === 'DELETE') {
        t.heal();
        sendJson(res, 200, []);
        return;
      }
    }
    sendJson(res, 404, { error: `no admin route ${method} ${url.pathname}` });
  }
}
