/*
 * The Kubernetes REST semantics of one simulated cluster: routes resource
 * URLs to get/list/watch/create/update/patch/apply/delete on the store, with
 * admission (defaults, validation, field validation, dry run), Table and
 * metadata-only renderings, and Status errors. Authentication and faults are
 * handled before a request gets here (ClusterServer). Each verb's handling
 * lives in its own module; this class holds the per-cluster state (open
 * watches, list snapshots, request count) and dispatches.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { boolParam } from '../api/queryParams';
import { apiVersionOf } from '../api/resources';
import { ApiError } from '../api/status';
import type { ClusterStore } from '../store/ClusterStore';
import type { PeerDirectory } from '../engines/programs';
import { methodNotAllowed, sendError } from './apiErrors';
import { serveDiscovery } from './discoveryEndpoints';
import { execPath, serveExec } from './exec/execRequest';
import { ListSnapshots } from './listSnapshots';
import { serveMetrics } from './metricsApi';
import { createResource } from './objectWrites';
import { deleteCollection, deleteResource } from './resourceDeletes';
import { getResource, listResource } from './resourceReads';
import {
  ResourceCall,
  ResourceContext,
  resolveResourceRoute,
} from './resourceRoute';
import { patchResource, updateResource } from './updates';
import { WatchStreams } from './watchStreams';

/** Settings of the handler. */
export interface ApiHandlerOptions {
  /** host:port the cluster is reached at (for `/api`). */
  serverAddress(): string;
  now(): number;
  /** Interval of BOOKMARK events on watches that allow them. */
  bookmarkIntervalMs?: number;
  /** The other clusters, for exec'd engines that replicate across them. */
  peers?: PeerDirectory;
}

/** The REST layer of one simulated cluster. */
export class ApiHandler {
  #ctx: ResourceContext;
  #opts: ApiHandlerOptions;
  #watches: WatchStreams;
  #snapshots: ListSnapshots;
  #requests = 0;

  constructor(store: ClusterStore, opts: ApiHandlerOptions) {
    this.#opts = opts;
    this.#ctx = { store, now: () => opts.now() };
    this.#watches = new WatchStreams(this.#ctx, opts.bookmarkIntervalMs);
    this.#snapshots = new ListSnapshots({ now: opts.now });
  }

  /** Ends every open watch stream (clients see a dropped connection). */
  dropWatches(): void {
    this.#watches.dropAll();
  }

  /** Number of open watch streams. */
  get watchCount(): number {
    return this.#watches.count;
  }

  /** Number of authenticated requests handled since start. */
  get requestCount(): number {
    return this.#requests;
  }

  /** Handles one authenticated request. */
  async handle(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
  ): Promise<void> {
    this.#requests++;
    try {
      await this.#route(req, res, url);
    } catch (e) {
      sendError(res, e);
    }
  }

  async #route(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
  ): Promise<void> {
    const path = url.pathname.replace(/\/+$/, '') || '/';
    const reg = this.#ctx.store.registry;
    const method = req.method ?? 'GET';
    const target = serveDiscovery(req, res, path, reg, () =>
      this.#opts.serverAddress(),
    );
    if (!target) return;
    const exec = execPath(target.group, target.rest);
    if (exec) {
      serveExec({ ...this.#ctx, peers: this.#opts.peers }, req, res, url, exec);
      return;
    }
    const route = resolveResourceRoute(
      reg,
      target.group,
      target.version,
      target.rest,
    );
    const call: ResourceCall = { req, res, url, route };
    if (target.group === 'metrics.k8s.io') {
      serveMetrics(this.#ctx, call);
      return;
    }
    const watch = boolParam(url, 'watch') || route.watchPath;
    if (route.t.storedAs && method !== 'GET' && method !== 'POST')
      throw new ApiError(
        405,
        'MethodNotAllowed',
        `the simulator serves ${apiVersionOf(route.t)} ${
          route.t.plural
        } for create, get, list and watch only; change them through ${apiVersionOf(
          route.t.storedAs,
        )} ${route.t.plural}`,
      );
    if (method === 'GET' && watch) this.#watches.open(call);
    else if (method === 'GET' && route.name === undefined)
      listResource(this.#ctx, this.#snapshots, call);
    else if (method === 'GET') getResource(this.#ctx, call);
    else if (method === 'POST') {
      if (route.name !== undefined) throw methodNotAllowed();
      await createResource(this.#ctx, call);
    } else if (method === 'PUT') await updateResource(this.#ctx, call);
    else if (method === 'PATCH') await patchResource(this.#ctx, call);
    else if (method === 'DELETE' && route.name === undefined)
      await deleteCollection(this.#ctx, call);
    else if (method === 'DELETE') await deleteResource(this.#ctx, call);
    else throw methodNotAllowed();
  }
}
