/*
 * A tiny Kubernetes API server on 127.0.0.1 for tests: discovery, list with
 * equality label selectors, watch (one JSON event per line), bearer-token
 * auth, and faults (hang, garbage, forced status). Just enough of the API for
 * the watch cache; nothing leaves the loopback interface.
 */
import http from 'node:http';
import { AddressInfo } from 'node:net';

/** A fault the fake applies to every request. */
export type FakeFault =
  | { type: 'none' }
  | { type: 'hang' }
  | { type: 'garbage' }
  | { type: 'status'; status: number };

interface Watcher {
  plural: string;
  namespace?: string;
  selector: Record<string, string>;
  res: http.ServerResponse;
}

function parseSelector(raw: string | null): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (raw ?? '').split(',').filter(Boolean)) {
    const [k, v] = part.split('=');
    out[k] = v ?? '';
  }
  return out;
}

function matches(
  obj: any,
  plural: string,
  namespace: string | undefined,
  selector: Record<string, string>,
) {
  if (obj.__plural !== plural) return false;
  if (namespace && obj.metadata.namespace !== namespace) return false;
  return Object.entries(selector).every(
    ([k, v]) => obj.metadata.labels?.[k] === v,
  );
}

/** A fake API server holding objects in memory. */
export class FakeKubeApi {
  /** The token it accepts; tests rotate it. */
  token: string;
  fault: FakeFault = { type: 'none' };
  /** API groups served besides the built-in ones. */
  groups: Array<{ name: string; version: string }> = [];
  /** Requests seen, as `METHOD path`. */
  readonly requests: string[] = [];
  #server?: http.Server;
  #objects = new Map<string, any>();
  #rv = 1;
  #watchers = new Set<Watcher>();
  #events: Array<{ rv: number; type: string; stored: any }> = [];
  #compactedTo = 0;
  #hanging = new Set<http.ServerResponse>();

  constructor(token = 'test-token') {
    this.token = token;
  }

  /** Starts listening on a free loopback port. */
  async start(): Promise<string> {
    this.#server = http.createServer((req, res) => this.#handle(req, res));
    await new Promise<void>(resolve =>
      this.#server!.listen(0, '127.0.0.1', resolve),
    );
    return `http://127.0.0.1:${(this.#server!.address() as AddressInfo).port}`;
  }

  /** Stops the server and drops every open connection. */
  async stop(): Promise<void> {
    for (const w of this.#watchers) w.res.destroy();
    for (const r of this.#hanging) r.destroy();
    this.#watchers.clear();
    this.#hanging.clear();
    this.#server?.closeAllConnections();
    await new Promise<void>(resolve =>
      this.#server ? this.#server.close(() => resolve()) : resolve(),
    );
  }

  /** Cuts every open watch, as an API server restart or a load balancer would. */
  dropWatches(): void {
    for (const w of this.#watchers) w.res.destroy();
    this.#watchers.clear();
  }

  /** Forgets the event history: watches resuming from older versions get 410 Gone. */
  compact(): void {
    this.#compactedTo = this.#rv;
    this.#events = [];
  }

  /** Creates or replaces an object of a plural and notifies watchers. */
  put(plural: string, obj: any): void {
    const key = `${plural}/${obj.metadata.namespace ?? ''}/${
      obj.metadata.name
    }`;
    const type = this.#objects.has(key) ? 'MODIFIED' : 'ADDED';
    const stored = {
      ...obj,
      metadata: { ...obj.metadata, resourceVersion: String(++this.#rv) },
      __plural: plural,
    };
    this.#objects.set(key, stored);
    this.#events.push({ rv: this.#rv, type, stored });
    this.#notify(type, stored);
  }

  /** Deletes an object and notifies watchers. */
  remove(plural: string, namespace: string, name: string): void {
    const key = `${plural}/${namespace}/${name}`;
    const stored = this.#objects.get(key);
    if (!stored) return;
    this.#objects.delete(key);
    const gone = {
      ...stored,
      metadata: { ...stored.metadata, resourceVersion: String(++this.#rv) },
    };
    this.#events.push({ rv: this.#rv, type: 'DELETED', stored: gone });
    this.#notify('DELETED', gone);
  }

  #notify(type: string, stored: any) {
    const { __plural, ...object } = stored;
    for (const w of this.#watchers) {
      if (matches(stored, w.plural, w.namespace, w.selector)) {
        w.res.write(`${JSON.stringify({ type, object })}\n`);
      }
    }
  }

  #handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://fake');
    this.requests.push(
      `${req.method} ${url.pathname}${
        url.searchParams.get('watch') ? '?watch' : ''
      }`,
    );
    if (this.fault.type === 'hang') {
      this.#hanging.add(res);
      return;
    }
    if (req.headers.authorization !== `Bearer ${this.token}`) {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({ kind: 'Status', code: 401, reason: 'Unauthorized' }),
      );
      return;
    }
    if (this.fault.type === 'garbage') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('<html>definitely not kubernetes</html>');
      return;
    }
    if (this.fault.type === 'status') {
      res.writeHead(this.fault.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ kind: 'Status', code: this.fault.status }));
      return;
    }
    if (url.pathname === '/apis') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          kind: 'APIGroupList',
          groups: [{ name: 'apps', version: 'v1' }, ...this.groups].map(g => ({
            name: g.name,
            versions: [
              { groupVersion: `${g.name}/${g.version}`, version: g.version },
            ],
            preferredVersion: {
              groupVersion: `${g.name}/${g.version}`,
              version: g.version,
            },
          })),
        }),
      );
      return;
    }
    const m =
      /^\/(?:api\/v1|apis\/[^/]+\/[^/]+)(?:\/namespaces\/([^/]+))?\/([^/]+)$/.exec(
        url.pathname,
      );
    if (!m) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ kind: 'Status', code: 404 }));
      return;
    }
    const [, namespace, plural] = m;
    const group = /^\/apis\/([^/]+)\//.exec(url.pathname)?.[1];
    if (group && group !== 'apps' && !this.groups.some(g => g.name === group)) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ kind: 'Status', code: 404 }));
      return;
    }
    const selector = parseSelector(url.searchParams.get('labelSelector'));
    if (url.searchParams.get('watch') === 'true') {
      res.writeHead(200, {
        'content-type': 'application/json',
        'transfer-encoding': 'chunked',
      });
      res.flushHeaders();
      const watcher = { plural, namespace, selector, res };
      // Replay what happened since the resourceVersion the client resumes from.
      const since = Number(url.searchParams.get('resourceVersion') ?? this.#rv);
      if (since < this.#compactedTo) {
        res.end(
          `${JSON.stringify({
            type: 'ERROR',
            object: { kind: 'Status', code: 410, reason: 'Expired' },
          })}\n`,
        );
        return;
      }
      for (const e of this.#events) {
        if (e.rv > since && matches(e.stored, plural, namespace, selector)) {
          const { __plural, ...object } = e.stored;
          res.write(`${JSON.stringify({ type: e.type, object })}\n`);
        }
      }
      this.#watchers.add(watcher);
      res.on('close', () => this.#watchers.delete(watcher));
      return;
    }
    const items = [...this.#objects.values()]
      .filter(o => matches(o, plural, namespace, selector))
      .map(({ __plural, ...o }) => o);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        kind: 'List',
        metadata: { resourceVersion: String(this.#rv) },
        items,
      }),
    );
  }
}

/** Connection details of cluster `c1` at a fake, with a service-account token. */
export function fakeClusterDetails(url: string, token = 'test-token') {
  return {
    name: 'c1',
    url,
    skipTLSVerify: true,
    authMetadata: {
      'kubernetes.io/auth-provider': 'serviceAccount',
      serviceAccountToken: token,
    },
  };
}

/** Fills a fake with the demo database in one cluster. */
export function seedDemo(
  api: FakeKubeApi,
  cluster: string,
  options: {
    role: 'active' | 'passive' | 'fenced';
    source?: string;
    lag?: string;
    image?: string;
  },
): void {
  const labels = { 'backstage.io/kubernetes-id': 'orders-db' };
  const annotations: Record<string, string> = {
    'multicluster-statefulsets/role': options.role,
  };
  if (options.source) {
    annotations['multicluster-statefulsets/replication-source'] =
      options.source;
    annotations['multicluster-statefulsets/replication-lag-seconds'] =
      options.lag ?? '0.5';
    annotations['multicluster-statefulsets/replication-lag-observed-at'] =
      new Date().toISOString();
  }
  api.put('statefulsets', {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: {
      name: 'orders-db',
      namespace: 'databases',
      labels,
      annotations,
    },
    spec: {
      replicas: 1,
      serviceName: 'orders-db',
      template: {
        spec: {
          containers: [
            { name: 'mysql', image: options.image ?? 'mysql:8.4.2' },
          ],
        },
      },
      volumeClaimTemplates: [
        {
          metadata: { name: 'data' },
          spec: { resources: { requests: { storage: '10Gi' } } },
        },
      ],
    },
    status: { readyReplicas: 1, updatedReplicas: 1 },
  });
  api.put('pods', {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: 'orders-db-0',
      namespace: 'databases',
      labels: { ...labels, 'multicluster-statefulsets/pod-role': 'primary' },
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: 'StatefulSet',
          name: 'orders-db',
          uid: 'u',
        },
      ],
    },
    spec: {
      nodeName: `${cluster}-node`,
      volumes: [
        {
          name: 'data',
          persistentVolumeClaim: { claimName: 'data-orders-db-0' },
        },
      ],
    },
    status: {
      phase: 'Running',
      conditions: [{ type: 'Ready', status: 'True' }],
    },
  });
  api.put('persistentvolumeclaims', {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name: 'data-orders-db-0', namespace: 'databases', labels },
    spec: {
      accessModes: ['ReadWriteOnce'],
      resources: { requests: { storage: '10Gi' } },
      volumeName: `pv-${cluster}`,
    },
    status: { phase: 'Bound' },
  });
  api.put('nodes', {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: `${cluster}-node`,
      labels: {
        'topology.kubernetes.io/region': `${cluster}-1`,
        'topology.kubernetes.io/zone': `${cluster}-1a`,
      },
    },
  });
}
