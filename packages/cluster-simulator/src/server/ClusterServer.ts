/*
 * The HTTP listener of one simulated cluster: connection bookkeeping (so
 * `down` can refuse and cut connections), injected faults, bearer-token
 * authentication, the non-resource endpoints (/version, /healthz, /metrics)
 * and hand-off to the REST layer.
 */
import http, { IncomingMessage, ServerResponse } from 'node:http';
import https from 'node:https';
import net, { AddressInfo, Socket } from 'node:net';
import { Duplex } from 'node:stream';
import type { ClusterStore } from '../store/ClusterStore';
import type { PeerDirectory } from '../engines/programs';
import { markUpgrade } from './exec/execRequest';
import { ApiHandler } from './ApiHandler';
import { Faults, delayFor, injectError, reasonFor } from './faults';
import { statusBody } from '../api/status';
import { sendJson } from './http';
import { loopbackCertificate } from './loopbackCertificate';
import type { WorldUser } from '../world';
import {
  authorizeRequest,
  Identity,
  MASTERS_GROUP,
  RbacObjects,
  requestAttributes,
} from './rbac';

const RBAC_GROUP = 'rbac.authorization.k8s.io';

/** Every value of a (possibly repeated) request header. */
function headerValues(req: IncomingMessage, name: string): string[] {
  const values: string[] = [];
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    if (raw[i].toLowerCase() !== name) continue;
    // A client may also send one header with a comma-separated list.
    for (const v of raw[i + 1].split(',')) if (v.trim()) values.push(v.trim());
  }
  return values;
}

/** Settings of a cluster server. */
export interface ClusterServerOptions {
  store: ClusterStore;
  token: string;
  /** A token that may read but not write (answers 403 to writes). */
  readOnlyToken?: string;
  /** Further tokens and who they authenticate as. */
  users?: WorldUser[];
  /** Enforce RBAC; off, every known token may do anything. */
  rbac?: boolean;
  host: string;
  now(): number;
  /** Prometheus text for `/metrics`. */
  metrics(): string;
  bookmarkIntervalMs?: number;
  /** The other clusters, for exec'd engines that replicate across them. */
  peers?: PeerDirectory;
}

const PUBLIC_PATHS = new Set([
  '/version',
  '/healthz',
  '/livez',
  '/readyz',
  '/metrics',
]);

/**
 * The loopback-only certificate the clusters serve TLS with, made when the
 * first cluster starts. kubectl sends bearer tokens over TLS only, so the
 * same port speaks both: plain HTTP for library users and tests, HTTPS
 * (certificate not verified) for kubectl.
 */
let tlsMaterial: { cert: string; key: string } | undefined;
function tls(): { cert: string; key: string } {
  tlsMaterial ??= loopbackCertificate();
  return tlsMaterial;
}

/**
 * A TLS socket wrapped around a raw socket would read the socket's handle
 * directly and miss the bytes already read to sniff the protocol; a plain
 * stream in between makes it read through JavaScript, first bytes included.
 */
function viaStream(socket: Socket, first: Buffer): Duplex {
  const d = new Duplex({
    read() {
      socket.resume();
    },
    write(chunk, encoding, cb) {
      socket.write(chunk, encoding, cb);
    },
    final(cb) {
      socket.end();
      cb();
    },
    destroy(err, cb) {
      socket.destroy();
      cb(err);
    },
  });
  d.push(first);
  socket.on('data', c => {
    if (!d.push(c)) socket.pause();
  });
  socket.on('end', () => d.push(null));
  socket.on('close', () => d.destroy());
  return d;
}

/** One cluster's API server on loopback. */
export class ClusterServer {
  readonly handler: ApiHandler;
  #opts: ClusterServerOptions;
  #server: net.Server;
  #http: http.Server;
  #https: https.Server;
  #sockets = new Set<Socket>();
  #hung = new Set<ServerResponse>();
  #faults: Faults = {};
  #port = 0;
  #listening = false;

  constructor(opts: ClusterServerOptions) {
    this.#opts = opts;
    this.handler = new ApiHandler(opts.store, {
      serverAddress: () => `${opts.host}:${this.#port}`,
      now: opts.now,
      bookmarkIntervalMs: opts.bookmarkIntervalMs,
      peers: opts.peers,
    });
    const onRequest = (req: IncomingMessage, res: ServerResponse) =>
      this.#onRequest(req, res);
    this.#http = http.createServer(onRequest);
    this.#https = https.createServer(tls(), onRequest);
    for (const s of [this.#http, this.#https]) {
      s.keepAliveTimeout = 65000;
      s.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) =>
        this.#onUpgrade(req, socket, head),
      );
    }
    // One port, two protocols: a TLS ClientHello starts with byte 0x16.
    this.#server = net.createServer(socket => {
      this.#sockets.add(socket);
      socket.on('close', () => this.#sockets.delete(socket));
      socket.on('error', () => socket.destroy());
      socket.once('data', (first: Buffer) => {
        socket.pause();
        if (first[0] === 0x16) {
          this.#https.emit('connection', viaStream(socket, first));
        } else {
          socket.unshift(first);
          this.#http.emit('connection', socket);
        }
        socket.resume();
      });
    });
  }

  /** The port (after `listen`). */
  get port(): number {
    return this.#port;
  }

  /** `http://host:port`. */
  get url(): string {
    return `http://${this.#opts.host}:${this.#port}`;
  }

  /** `https://host:port` (same port, self-signed loopback certificate). */
  get httpsUrl(): string {
    return `https://${this.#opts.host}:${this.#port}`;
  }

  /** The faults in force. */
  get faults(): Faults {
    return { ...this.#faults };
  }

  /** Starts listening; port 0 picks a free one. */
  async listen(port: number): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      const onError = (e: Error) => reject(e);
      this.#server.once('error', onError);
      this.#server.listen(port, this.#opts.host, () => {
        this.#server.off('error', onError);
        resolve();
      });
    });
    this.#port = (this.#server.address() as AddressInfo).port;
    this.#listening = true;
  }

  /** Replaces the faults; `down` closes or reopens the listener. */
  async setFaults(f: Faults): Promise<void> {
    const wasHang = this.#faults.hang;
    this.#faults = { ...f };
    if (wasHang && !f.hang) {
      for (const r of this.#hung) r.destroy();
      this.#hung.clear();
    }
    if (f.down && this.#listening) await this.#unlisten();
    else if (!f.down && !this.#listening) await this.listen(this.#port);
  }

  async #unlisten(): Promise<void> {
    this.#listening = false;
    const closed = new Promise<void>(resolve =>
      this.#server.close(() => resolve()),
    );
    for (const s of this.#sockets) s.destroy();
    this.#sockets.clear();
    await closed;
  }

  /** Stops the server and cuts every connection. */
  async close(): Promise<void> {
    this.handler.dropWatches();
    for (const r of this.#hung) r.destroy();
    if (this.#listening) await this.#unlisten();
  }

  #onRequest(req: IncomingMessage, res: ServerResponse): void {
    const f = this.#faults;
    if (f.down) {
      req.socket.destroy();
      return;
    }
    if (f.hang) {
      this.#hung.add(res);
      res.on('close', () => this.#hung.delete(res));
      return;
    }
    const delay = delayFor(f);
    if (delay > 0) setTimeout(() => this.#serve(req, res), delay);
    else this.#serve(req, res);
  }

  /**
   * An upgrade request (`pods/exec`) takes the same path as any other, with
   * a response written straight to its socket until the upgrade succeeds.
   */
  #onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const res = new ServerResponse(req);
    res.shouldKeepAlive = false;
    res.assignSocket(socket as Socket);
    res.on('finish', () => socket.end());
    socket.on('error', () => socket.destroy());
    markUpgrade(req, { socket, head });
    this.#onRequest(req, res);
  }

  #serve(req: IncomingMessage, res: ServerResponse): void {
    const f = this.#faults;
    const url = new URL(req.url ?? '/', 'http://localhost');
    const urlPath = url.pathname.replace(/\/+$/, '') || '/';
    if (f.rejectTokens) {
      this.#unauthorized(res);
      return;
    }
    if (injectError(f)) {
      const code = f.errorStatus ?? 500;
      sendJson(
        res,
        code,
        statusBody(code, reasonFor(code), `injected fault: ${reasonFor(code)}`),
      );
      return;
    }
    if (f.malformed) {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(
        '{"kind":"Status","apiVersion":"v1","items":[{"metadata":{"name":',
      );
      return;
    }
    const auth = String(req.headers.authorization ?? '');
    const token = /^Bearer\s+(.+)$/i.exec(auth)?.[1]?.trim();
    const identity = token === undefined ? undefined : this.#identity(token);
    const known = identity !== undefined;
    if (token !== undefined && !known) {
      this.#unauthorized(res);
      return;
    }
    if (PUBLIC_PATHS.has(urlPath)) {
      this.#public(res, urlPath);
      return;
    }
    if (!known) {
      this.#unauthorized(res);
      return;
    }
    if (
      token === this.#opts.readOnlyToken &&
      !['GET', 'HEAD'].includes(req.method ?? 'GET')
    ) {
      sendJson(
        res,
        403,
        statusBody(
          403,
          'Forbidden',
          `the read-only token may not ${String(
            req.method,
          ).toLowerCase()} ${urlPath}`,
        ),
      );
      return;
    }
    if (this.#opts.rbac && token !== this.#opts.readOnlyToken) {
      const decision = authorizeRequest({
        identity: identity!,
        attrs: requestAttributes(req.method ?? 'GET', url),
        impersonateUser: headerValues(req, 'impersonate-user')[0],
        impersonateGroups: headerValues(req, 'impersonate-group'),
        objects: this.#rbacObjects(),
      });
      if (!decision.allowed) {
        sendJson(
          res,
          decision.code,
          statusBody(
            decision.code,
            decision.code === 403 ? 'Forbidden' : 'BadRequest',
            decision.message,
            decision.details,
          ),
        );
        return;
      }
    }
    void this.handler.handle(req, res, url);
  }

  #rbacObjects(): RbacObjects {
    // peekAll hands out one-shot iterators; the evaluation walks them repeatedly.
    const all = (kind: string) => [
      ...this.#opts.store.peekAll(RBAC_GROUP, kind),
    ];
    return {
      roles: all('Role'),
      clusterRoles: all('ClusterRole'),
      roleBindings: all('RoleBinding'),
      clusterRoleBindings: all('ClusterRoleBinding'),
    };
  }

  /** Who a token authenticates as; the cluster's own token is its administrator. */
  #identity(token: string): Identity | undefined {
    if (token === this.#opts.token) {
      return { user: 'admin', groups: [MASTERS_GROUP] };
    }
    if (this.#opts.readOnlyToken && token === this.#opts.readOnlyToken) {
      return { user: 'read-only', groups: [] };
    }
    const u = this.#opts.users?.find(x => x.token === token);
    return u ? { user: u.user, groups: u.groups } : undefined;
  }

  #unauthorized(res: ServerResponse): void {
    sendJson(res, 401, statusBody(401, 'Unauthorized', 'Unauthorized'));
  }

  #public(res: ServerResponse, urlPath: string): void {
    if (urlPath === '/version') {
      sendJson(res, 200, {
        major: '1',
        minor: '35',
        emulationMajor: '1',
        emulationMinor: '35',
        gitVersion: 'v1.35.0',
        gitCommit: '0000000000000000000000000000000000000000',
        gitTreeState: 'clean',
        buildDate: '2026-01-01T00:00:00Z',
        goVersion: 'go1.25.0',
        compiler: 'gc',
        platform: 'linux/amd64',
      });
      return;
    }
    if (urlPath === '/metrics') {
      const text = this.#opts.metrics();
      res.writeHead(200, {
        'Content-Type': 'text/plain; version=0.0.4; charset=utf-8',
      });
      res.end(text);
      return;
    }
    res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
    res.end('ok');
  }
}
