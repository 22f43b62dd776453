/*
 * Watches: the open event streams of one cluster. Each stream replays from
 * the client's resourceVersion (or lists first), then follows the store,
 * turning changes that cross the selector into ADDED and DELETED as
 * kube-apiserver does, with bookmarks and timeouts on request.
 */
import type { ServerResponse } from 'node:http';
import type { KubeObject } from '../controllers/types';
import { apiVersionOf, groupKindKey } from '../api/resources';
import { boolParam, resourceVersionParam } from '../api/queryParams';
import { statusBody } from '../api/status';
import { partialObjectMetadata, renderTable } from '../api/tables';
import type { StoreEvent } from '../store/ChangeFeed';
import { renderingOf, servedAs } from './rendering';
import { matchingObjects, selectorsOf } from './resourceReads';
import { ResourceCall, ResourceContext, storageOf } from './resourceRoute';

/** The watch streams open on one cluster. */
export class WatchStreams {
  #ctx: ResourceContext;
  #bookmarkIntervalMs: number | undefined;
  #open = new Set<ServerResponse>();

  constructor(ctx: ResourceContext, bookmarkIntervalMs?: number) {
    this.#ctx = ctx;
    this.#bookmarkIntervalMs = bookmarkIntervalMs;
  }

  /** Number of open streams. */
  get count(): number {
    return this.#open.size;
  }

  /** Ends every open stream (clients see a dropped connection). */
  dropAll(): void {
    for (const w of this.#open) w.destroy();
    this.#open.clear();
  }

  /** Serves a watch request until the client or a timeout ends it. */
  open(call: ResourceCall): void {
    const { req, res, url, route } = call;
    const t = route.t;
    const match = selectorsOf(url, route);
    const rendering = renderingOf(req, url);
    const stored = storageOf(t);
    const gk = groupKindKey(stored.group, stored.kind);
    const bookmarks = boolParam(url, 'allowWatchBookmarks');
    const sendInitial = boolParam(url, 'sendInitialEvents');
    const from = resourceVersionParam(url);
    const timeoutSeconds = Number(url.searchParams.get('timeoutSeconds') ?? 0);
    const store = this.#ctx.store;
    let columnsSent = false;
    res.writeHead(200, {
      'Content-Type': 'application/json',
      'Transfer-Encoding': 'chunked',
      'Cache-Control': 'no-cache, private',
    });
    res.flushHeaders();
    const write = (type: string, object: unknown) => {
      if (res.writableEnded || res.destroyed) return;
      res.write(`${JSON.stringify({ type, object })}\n`);
    };
    const render = (o: KubeObject): unknown => {
      const served = servedAs(o, t);
      if (rendering.table) {
        const table = renderTable(t, [served], {
          now: this.#ctx.now(),
          includeObject: rendering.table.includeObject,
          resourceVersion: o.metadata.resourceVersion,
          withColumns: !columnsSent,
          tableVersion: rendering.table.version,
        });
        columnsSent = true;
        return table;
      }
      if (rendering.partial) return partialObjectMetadata(o);
      return served;
    };
    const deliver = (e: StoreEvent) => {
      if (e.groupKind !== gk) return;
      const now = match(e.object);
      if (e.type === 'MODIFIED' && e.old) {
        const before = match(e.old);
        if (now && before) write('MODIFIED', render(e.object));
        else if (now) write('ADDED', render(e.object));
        else if (before) write('DELETED', render(e.object));
        return;
      }
      if (now) write(e.type, render(e.object));
    };
    const bookmark = (initialEnd = false) =>
      write('BOOKMARK', {
        kind: t.kind,
        apiVersion: apiVersionOf(t),
        metadata: {
          resourceVersion: String(store.resourceVersion),
          ...(initialEnd
            ? { annotations: { 'k8s.io/initial-events-end': 'true' } }
            : {}),
        },
      });
    if (from === undefined || from === 0 || sendInitial) {
      for (const o of matchingObjects(store, route, url))
        write('ADDED', render(o));
      if (sendInitial && bookmarks) bookmark(true);
    } else {
      const events = store.eventsSince(from);
      if (!events) {
        // kube-apiserver answers a watch from before its history with 200 and
        // one ERROR event, so informers relist rather than treat it as a fault.
        write(
          'ERROR',
          statusBody(
            410,
            'Expired',
            `too old resource version: ${from} (${store.resourceVersion})`,
          ),
        );
        res.end();
        return;
      }
      for (const e of events) deliver(e);
    }
    const unsubscribe = store.subscribe(deliver);
    this.#open.add(res);
    const timers: NodeJS.Timeout[] = [];
    if (bookmarks) {
      const iv = setInterval(
        () => bookmark(),
        this.#bookmarkIntervalMs ?? 5000,
      );
      timers.push(iv);
    }
    if (timeoutSeconds > 0) {
      timers.push(setTimeout(() => res.end(), timeoutSeconds * 1000));
    }
    const cleanup = () => {
      unsubscribe();
      for (const tm of timers) clearTimeout(tm);
      this.#open.delete(res);
    };
    res.on('close', cleanup);
    req.on('close', () => {
      if (!res.writableEnded) res.end();
    });
  }
}
