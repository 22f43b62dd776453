/*
 * The Kubernetes REST semantics of one simulated cluster: routes resource
 * URLs to get/list/watch/create/update/patch/apply/delete on the store, with
 * admission (defaults, validation, field validation, dry run), Table and
 * metadata-only renderings, and Status errors. Authentication and faults are
 * handled before a request gets here (ClusterServer).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseYaml } from 'yaml';
import type { KubeObject } from '../controllers/types';
import { applyDefaults } from '../api/defaults';
import {
  apiGroup,
  apiGroupList,
  apiResourceList,
  apiVersions,
} from '../api/discovery';
import {
  openApiV2Document,
  openApiV3Document,
  openApiV3Index,
} from '../api/openapi';
import {
  PatchError,
  applyConfiguration,
  applyJsonPatch,
  applyMergePatch,
  applyStrategicMergePatch,
  fieldsV1Of,
  removeUnappliedFields,
} from '../api/patches';
import {
  ResourceType,
  apiVersionOf,
  groupKindKey,
  parseApiVersion,
} from '../api/resources';
import {
  LabelSelectorObject,
  SelectorError,
  labelSelectorString,
  matchesFields,
  matchesLabels,
  parseFieldSelector,
  parseLabelSelector,
  unsupportedField,
} from '../api/selectors';
import {
  ApiError,
  badRequest,
  conflict,
  invalid,
  notFound,
  statusBody,
} from '../api/status';
import { eventsV1Problems, fromEventsV1, toEventsV1 } from '../api/eventsV1';
import { boolParam, resourceVersionParam } from '../api/queryParams';
import { IncludeObject, renderTable } from '../api/tables';
import {
  prune,
  schemaOf,
  unknownFields,
  validateObject,
} from '../api/validation';
import type { ClusterStore, StoreEvent } from '../store/ClusterStore';
import { readBody, sendJson } from './http';
import { ListSnapshots } from './listSnapshots';

/** Settings of the handler. */
export interface ApiHandlerOptions {
  /** host:port the cluster is reached at (for `/api`). */
  serverAddress(): string;
  now(): number;
  /** Interval of BOOKMARK events on watches that allow them. */
  bookmarkIntervalMs?: number;
}

interface ResourceRoute {
  t: ResourceType;
  namespace?: string;
  name?: string;
  sub?: string;
  watchPath: boolean;
}

const clone = <T>(v: T): T => structuredClone(v);

function stamp(now: number): string {
  return new Date(now).toISOString().replace(/\.\d+Z$/, 'Z');
}

interface Rendering {
  table?: { version: string; includeObject: IncludeObject };
  partial?: boolean;
}

function renderingOf(req: IncomingMessage, url: URL): Rendering {
  const accept = String(req.headers.accept ?? '');
  for (const part of accept.split(',')) {
    const p = part.replace(/\s+/g, '');
    if (p.includes('as=Table') && p.includes('g=meta.k8s.io')) {
      const version = /v=(v1beta1|v1)/.exec(p)?.[1] ?? 'v1';
      const inc = url.searchParams.get('includeObject');
      return {
        table: {
          version,
          includeObject: inc === 'Object' || inc === 'None' ? inc : 'Metadata',
        },
      };
    }
    if (p.includes('as=PartialObjectMetadata') && p.includes('g=meta.k8s.io'))
      return { partial: true };
    if (p.startsWith('application/json') && !p.includes('as=')) break;
  }
  return {};
}

function sortKey(o: KubeObject): string {
  return `${o.metadata.namespace ?? ''}/${o.metadata.name}`;
}

/** The REST layer of one simulated cluster. */
export class ApiHandler {
  #store: ClusterStore;
  #opts: ApiHandlerOptions;
  #watches = new Set<ServerResponse>();
  #snapshots: ListSnapshots;
  #requests = 0;

  constructor(store: ClusterStore, opts: ApiHandlerOptions) {
    this.#store = store;
    this.#opts = opts;
    this.#snapshots = new ListSnapshots({ now: opts.now });
  }

  /** Ends every open watch stream (clients see a dropped connection). */
  dropWatches(): void {
    for (const w of this.#watches) w.destroy();
    this.#watches.clear();
  }

  /** Number of open watch streams. */
  get watchCount(): number {
    return this.#watches.size;
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
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (e instanceof ApiError) sendJson(res, e.code, e.toStatus());
      else if (e instanceof PatchError) {
        sendJson(
          res,
          e.status,
          statusBody(
            e.status,
            e.status === 400 ? 'BadRequest' : 'Invalid',
            e.message,
          ),
        );
      } else if (e instanceof SelectorError)
        sendJson(res, 400, badRequest(e.message).toStatus());
      else
        sendJson(
          res,
          500,
          statusBody(
            500,
            'InternalError',
            `Internal error occurred: ${String((e as Error)?.message ?? e)}`,
          ),
        );
    }
  }

  async #route(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
  ): Promise<void> {
    const path = url.pathname.replace(/\/+$/, '') || '/';
    const segs = path.split('/').filter(Boolean);
    const reg = this.#store.registry;
    const method = req.method ?? 'GET';
    if (segs[0] === 'openapi') {
      this.#openapi(req, res, segs);
      return;
    }
    if (path === '/api') {
      sendJson(res, 200, apiVersions(this.#opts.serverAddress()));
      return;
    }
    if (path === '/apis') {
      sendJson(res, 200, apiGroupList(reg));
      return;
    }
    let group: string;
    let version: string;
    let rest: string[];
    if (segs[0] === 'api' && segs.length >= 2) {
      group = '';
      version = segs[1];
      rest = segs.slice(2);
    } else if (segs[0] === 'apis' && segs.length >= 2) {
      if (segs.length === 2) {
        const g = apiGroup(reg, segs[1]);
        if (!g)
          throw new ApiError(
            404,
            'NotFound',
            'the server could not find the requested resource',
          );
        sendJson(res, 200, g);
        return;
      }
      group = segs[1];
      version = segs[2];
      rest = segs.slice(3);
    } else {
      throw new ApiError(
        404,
        'NotFound',
        'the server could not find the requested resource',
      );
    }
    if (rest.length === 0) {
      const doc = apiResourceList(reg, group, version);
      if (!doc)
        throw new ApiError(
          404,
          'NotFound',
          'the server could not find the requested resource',
        );
      sendJson(res, 200, doc);
      return;
    }
    const route = this.#resolve(group, version, rest);
    if (group === 'metrics.k8s.io') {
      this.#metrics(res, route, url);
      return;
    }
    const watch = boolParam(url, 'watch') || route.watchPath;
    const notAllowed = () =>
      new ApiError(
        405,
        'MethodNotAllowed',
        'the server does not allow this method on the requested resource',
      );
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
    if (method === 'GET' && watch) this.#watch(req, res, url, route);
    else if (method === 'GET' && route.name === undefined)
      this.#list(req, res, url, route);
    else if (method === 'GET') this.#get(req, res, url, route);
    else if (method === 'POST') {
      if (route.name !== undefined) throw notAllowed();
      await this.#create(req, res, url, route);
    } else if (method === 'PUT') await this.#update(req, res, url, route);
    else if (method === 'PATCH') await this.#patch(req, res, url, route);
    else if (method === 'DELETE' && route.name === undefined)
      await this.#deleteCollection(req, res, url, route);
    else if (method === 'DELETE') await this.#delete(req, res, url, route);
    else throw notAllowed();
  }

  #resolve(group: string, version: string, segs: string[]): ResourceRoute {
    const reg = this.#store.registry;
    let rest = segs;
    const watchPath = rest[0] === 'watch';
    if (watchPath) rest = rest.slice(1);
    let namespace: string | undefined;
    if (rest[0] === 'namespaces' && rest.length >= 3) {
      const inner = reg.byPlural(group, version, rest[2]);
      if (inner && inner.namespaced) {
        namespace = rest[1];
        rest = rest.slice(2);
      }
    }
    const t = reg.byPlural(group, version, rest[0]);
    if (!t || rest.length > 3 || (namespace !== undefined && !t.namespaced)) {
      throw new ApiError(
        404,
        'NotFound',
        'the server could not find the requested resource',
      );
    }
    const sub = rest[2];
    if (
      sub !== undefined &&
      !(
        (sub === 'status' && t.statusSubresource) ||
        (sub === 'scale' && t.scaleSubresource)
      )
    ) {
      throw new ApiError(
        404,
        'NotFound',
        'the server could not find the requested resource',
      );
    }
    if (t.namespaced && namespace === undefined && rest[1] !== undefined) {
      throw new ApiError(
        404,
        'NotFound',
        'the server could not find the requested resource',
      );
    }
    return { t, namespace, name: rest[1], sub, watchPath };
  }

  #openapi(req: IncomingMessage, res: ServerResponse, segs: string[]): void {
    const reg = this.#store.registry;
    if (segs[1] === 'v2') {
      const accept = String(req.headers.accept ?? '');
      if (accept && !accept.includes('json') && !accept.includes('*/*')) {
        throw new ApiError(
          406,
          'NotAcceptable',
          'only application/json is served for /openapi/v2',
        );
      }
      sendJson(res, 200, openApiV2Document(reg));
      return;
    }
    if (segs[1] === 'v3' && segs.length === 2) {
      sendJson(res, 200, openApiV3Index(reg));
      return;
    }
    if (segs[1] === 'v3') {
      const rest = segs.slice(2);
      let doc: Record<string, unknown> | undefined;
      if (rest[0] === 'api' && rest.length === 2)
        doc = openApiV3Document(reg, '', rest[1]);
      else if (rest[0] === 'apis' && rest.length === 3)
        doc = openApiV3Document(reg, rest[1], rest[2]);
      if (doc) {
        sendJson(res, 200, doc, { Etag: `"${reg.all().length}"` });
        return;
      }
    }
    throw new ApiError(
      404,
      'NotFound',
      'the server could not find the requested resource',
    );
  }

  /** Where a kind's objects are stored (a view reads another kind's). */
  #storage(t: ResourceType): { group: string; kind: string } {
    return t.storedAs ?? t;
  }

  #servedAs(o: KubeObject, t: ResourceType): KubeObject {
    if (t.storedAs) return toEventsV1(o);
    const v = apiVersionOf(t);
    if (o.apiVersion === v) return o;
    return { ...o, apiVersion: v };
  }

  #selectors(url: URL, route: ResourceRoute) {
    const labels = parseLabelSelector(
      url.searchParams.get('labelSelector') ?? undefined,
    );
    const fields = parseFieldSelector(
      url.searchParams.get('fieldSelector') ?? undefined,
    );
    const bad = unsupportedField(route.t.kind, fields);
    if (bad) throw badRequest(`field label not supported: ${bad}`);
    if (route.watchPath && route.name) {
      fields.push({ field: 'metadata.name', negate: false, value: route.name });
    }
    return (o: KubeObject) =>
      (route.namespace === undefined ||
        o.metadata.namespace === route.namespace) &&
      matchesLabels(labels, o.metadata.labels) &&
      matchesFields(fields, o);
  }

  #matching(route: ResourceRoute, url: URL): KubeObject[] {
    const match = this.#selectors(url, route);
    const out: KubeObject[] = [];
    const stored = this.#storage(route.t);
    for (const o of this.#store.peekAll(stored.group, stored.kind))
      if (match(o)) out.push(o);
    out.sort((a, b) => (sortKey(a) < sortKey(b) ? -1 : 1));
    return out;
  }

  #list(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    route: ResourceRoute,
  ): void {
    const t = route.t;
    resourceVersionParam(url);
    const limit = Number(url.searchParams.get('limit') ?? 0);
    const {
      items,
      resourceVersion: rv,
      next,
      remaining,
    } = this.#snapshots.page(
      () => this.#matching(route, url),
      String(this.#store.resourceVersion),
      limit,
      url.searchParams.get('continue'),
      sortKey,
    );
    const rendering = renderingOf(req, url);
    const served = items.map(o => this.#servedAs(o, t));
    if (rendering.table) {
      sendJson(
        res,
        200,
        renderTable(t, served, {
          now: this.#opts.now(),
          includeObject: rendering.table.includeObject,
          resourceVersion: rv,
          continueToken: next,
          tableVersion: rendering.table.version,
        }),
      );
      return;
    }
    const metadata = {
      resourceVersion: rv,
      ...(next ? { continue: next, remainingItemCount: remaining } : {}),
    };
    if (rendering.partial) {
      sendJson(res, 200, {
        kind: 'PartialObjectMetadataList',
        apiVersion: 'meta.k8s.io/v1',
        metadata,
        items: served.map(o => ({
          kind: 'PartialObjectMetadata',
          apiVersion: 'meta.k8s.io/v1',
          metadata: o.metadata,
        })),
      });
      return;
    }
    sendJson(res, 200, {
      kind: t.listKind,
      apiVersion: apiVersionOf(t),
      metadata,
      items: served,
    });
  }

  #load(route: ResourceRoute): KubeObject {
    const t = route.t;
    const stored = this.#storage(t);
    const o = this.#store.peek(
      stored.group,
      stored.kind,
      t.namespaced ? route.namespace : undefined,
      route.name!,
    );
    if (!o) throw notFound(t.plural, t.group, route.name!);
    return o;
  }

  #scaleOf(o: KubeObject, t: ResourceType): KubeObject {
    const s = t.scaleSubresource!;
    const get = (p: string | undefined) =>
      p
        ? p
            .split('.')
            .filter(Boolean)
            .reduce((c: any, k) => c?.[k], o)
        : undefined;
    return {
      kind: 'Scale',
      apiVersion: 'autoscaling/v1',
      metadata: {
        name: o.metadata.name,
        namespace: o.metadata.namespace,
        uid: o.metadata.uid,
        resourceVersion: o.metadata.resourceVersion,
        creationTimestamp: o.metadata.creationTimestamp,
      },
      spec: { replicas: get(s.specReplicasPath) ?? 0 },
      status: {
        replicas: get(s.statusReplicasPath) ?? 0,
        selector: this.#scaleSelector(o, t, get(s.labelSelectorPath)),
      },
    };
  }

  /**
   * Built-in workloads derive the scale selector from spec.selector (their
   * status has none); custom resources name a field that holds the string.
   */
  #scaleSelector(o: KubeObject, t: ResourceType, atPath: unknown): string {
    if (typeof atPath === 'string') return atPath;
    if (atPath && typeof atPath === 'object')
      return labelSelectorString(atPath as LabelSelectorObject);
    if (t.builtin) return labelSelectorString(o.spec?.selector);
    return '';
  }

  #respondObject(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    t: ResourceType,
    o: KubeObject,
    code = 200,
    headers: Record<string, string> = {},
  ): void {
    const rendering = renderingOf(req, url);
    if (rendering.table && o.kind !== 'Scale') {
      sendJson(
        res,
        code,
        renderTable(t, [o], {
          now: this.#opts.now(),
          includeObject: rendering.table.includeObject,
          resourceVersion: o.metadata.resourceVersion,
          tableVersion: rendering.table.version,
        }),
        headers,
      );
      return;
    }
    if (rendering.partial) {
      sendJson(
        res,
        code,
        {
          kind: 'PartialObjectMetadata',
          apiVersion: 'meta.k8s.io/v1',
          metadata: o.metadata,
        },
        headers,
      );
      return;
    }
    sendJson(res, code, o, headers);
  }

  #get(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    route: ResourceRoute,
  ): void {
    const o = this.#servedAs(this.#load(route), route.t);
    if (route.sub === 'scale') {
      sendJson(res, 200, this.#scaleOf(o, route.t));
      return;
    }
    this.#respondObject(req, res, url, route.t, o);
  }

  #metrics(res: ServerResponse, route: ResourceRoute, url: URL): void {
    const now = stamp(this.#opts.now());
    const items: KubeObject[] = [];
    if (route.t.kind === 'PodMetrics') {
      const labels = parseLabelSelector(
        url.searchParams.get('labelSelector') ?? undefined,
      );
      for (const p of this.#store.peekAll('', 'Pod')) {
        if (
          route.namespace !== undefined &&
          p.metadata.namespace !== route.namespace
        )
          continue;
        if (route.name !== undefined && p.metadata.name !== route.name)
          continue;
        if (
          !matchesLabels(labels, p.metadata.labels) ||
          p.status?.phase !== 'Running'
        )
          continue;
        items.push({
          kind: 'PodMetrics',
          apiVersion: 'metrics.k8s.io/v1beta1',
          metadata: {
            name: p.metadata.name,
            namespace: p.metadata.namespace,
            labels: p.metadata.labels,
            creationTimestamp: now,
          },
          timestamp: now,
          window: '30s',
          containers: (p.spec?.containers ?? []).map((c: any) => ({
            name: c.name,
            usage: {
              cpu: `${5 + (p.metadata.name.length % 7)}m`,
              memory: `${64 + (p.metadata.name.length % 5) * 16}Mi`,
            },
          })),
        });
      }
    } else {
      for (const n of this.#store.peekAll('', 'Node')) {
        if (route.name !== undefined && n.metadata.name !== route.name)
          continue;
        items.push({
          kind: 'NodeMetrics',
          apiVersion: 'metrics.k8s.io/v1beta1',
          metadata: {
            name: n.metadata.name,
            labels: n.metadata.labels,
            creationTimestamp: now,
          },
          timestamp: now,
          window: '30s',
          usage: { cpu: '250m', memory: '2Gi' },
        });
      }
    }
    if (route.name !== undefined) {
      if (!items[0]) throw notFound(route.t.plural, route.t.group, route.name);
      sendJson(res, 200, items[0]);
      return;
    }
    sendJson(res, 200, {
      kind: `${route.t.kind}List`,
      apiVersion: 'metrics.k8s.io/v1beta1',
      metadata: {},
      items,
    });
  }

  async #body(req: IncomingMessage): Promise<any> {
    const raw = (await readBody(req)).toString('utf8');
    const type = String(req.headers['content-type'] ?? 'application/json');
    if (raw.trim() === '') throw badRequest('the request body is empty');
    try {
      if (type.includes('yaml')) return parseYaml(raw);
      return JSON.parse(raw);
    } catch (e) {
      throw badRequest(
        `the object provided is unrecognized: ${(e as Error).message}`,
      );
    }
  }

  #dryRun(url: URL, body?: any): boolean {
    const vals = [
      ...url.searchParams.getAll('dryRun'),
      ...(Array.isArray(body?.dryRun) ? body.dryRun : []),
    ];
    for (const v of vals)
      if (v !== 'All')
        throw badRequest(`Invalid value: "${v}": supported values: "All"`);
    return vals.length > 0;
  }

  #fieldValidation(url: URL): 'Strict' | 'Warn' | 'Ignore' {
    const v = url.searchParams.get('fieldValidation') ?? 'Warn';
    if (v !== 'Strict' && v !== 'Warn' && v !== 'Ignore') {
      throw badRequest(
        `fieldValidation must be one of Ignore, Warn, Strict; got ${v}`,
      );
    }
    return v;
  }

  #manager(req: IncomingMessage, url: URL): string {
    const m = url.searchParams.get('fieldManager');
    if (m) return m;
    const ua = String(req.headers['user-agent'] ?? 'unknown');
    return ua.split('/')[0] || 'unknown';
  }

  /**
   * Admission for a full object about to be written: type checks, unknown
   * fields, defaults, validation. Returns the warnings to send back.
   */
  #admit(
    obj: any,
    route: ResourceRoute,
    url: URL,
    existing?: KubeObject,
  ): string[] {
    const t = route.t;
    const wantApiVersion = apiVersionOf(t);
    if (!obj || typeof obj !== 'object' || Array.isArray(obj))
      throw badRequest('the object provided is unrecognized');
    obj.apiVersion ??= wantApiVersion;
    obj.kind ??= t.kind;
    if (obj.kind !== t.kind || obj.apiVersion !== wantApiVersion) {
      throw badRequest(
        `the API version in the data (${obj.apiVersion}) does not match the expected API version (${wantApiVersion})`,
      );
    }
    obj.metadata ??= {};
    if (t.namespaced) {
      if (
        obj.metadata.namespace &&
        route.namespace &&
        obj.metadata.namespace !== route.namespace
      ) {
        throw badRequest(
          'the namespace of the provided object does not match the namespace sent on the request',
        );
      }
      obj.metadata.namespace = route.namespace ?? obj.metadata.namespace;
    } else delete obj.metadata.namespace;
    const warnings: string[] = [];
    const mode = this.#fieldValidation(url);
    const schema = schemaOf(t);
    if (mode !== 'Ignore') {
      const unknown = unknownFields(schema, obj);
      if (unknown.length && mode === 'Strict') {
        throw badRequest(
          `${t.kind} in version "${t.version}" cannot be handled as a ${
            t.kind
          }: strict decoding error: ${unknown
            .map(f => `unknown field "${f}"`)
            .join(', ')}`,
        );
      }
      warnings.push(...unknown.map(f => `unknown field "${f}"`));
    }
    if (!t.builtin && schema) prune(obj, schema);
    if (t.builtin) applyDefaults(t.group, obj, existing);
    const causes = validateObject(t, obj);
    if (causes.length)
      throw invalid(t.kind, t.group, obj.metadata.name ?? '', causes);
    return warnings;
  }

  #warningHeaders(warnings: string[]): Record<string, string> {
    if (!warnings.length) return {};
    return {
      Warning: warnings.map(w => `299 - ${JSON.stringify(w)}`).join(', '),
    };
  }

  #recordManager(
    obj: KubeObject,
    manager: string,
    operation: 'Update' | 'Apply',
    fields: unknown,
    sub?: string,
  ): void {
    const entries = ((obj.metadata.managedFields as any[]) ?? []).filter(
      e =>
        !(
          e.manager === manager &&
          e.operation === operation &&
          (e.subresource ?? '') === (sub ?? '')
        ),
    );
    entries.push({
      manager,
      operation,
      apiVersion: obj.apiVersion,
      time: stamp(this.#opts.now()),
      fieldsType: 'FieldsV1',
      fieldsV1: fields,
      ...(sub ? { subresource: sub } : {}),
    });
    obj.metadata.managedFields = entries;
  }

  async #create(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    route: ResourceRoute,
  ): Promise<void> {
    const t = route.t;
    if (t.readOnly)
      throw new ApiError(
        405,
        'MethodNotAllowed',
        'the server does not allow this method on the requested resource',
      );
    let obj = await this.#body(req);
    const dryRun = this.#dryRun(url);
    const warnings = this.#admit(obj, route, url);
    if (obj.metadata.resourceVersion)
      throw badRequest(
        'resourceVersion should not be set on objects to be created',
      );
    if (t.storedAs) {
      const problems = eventsV1Problems(obj);
      if (problems.length)
        throw invalid(t.kind, t.group, obj.metadata.name ?? '', problems);
      obj = fromEventsV1(obj);
    }
    if (
      t.statusSubresource &&
      t.kind !== 'PersistentVolumeClaim' &&
      t.kind !== 'PersistentVolume'
    )
      delete obj.status;
    this.#recordManager(
      obj,
      this.#manager(req, url),
      'Update',
      fieldsV1Of(obj, t.builtin),
    );
    const created = this.#store.create(obj, { dryRun });
    this.#respondObject(
      req,
      res,
      url,
      t,
      this.#servedAs(created, t),
      201,
      this.#warningHeaders(warnings),
    );
  }

  /** Stores a full new version of an existing object after admission. */
  #write(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    route: ResourceRoute,
    existing: KubeObject,
    next: any,
    opts: {
      dryRun: boolean;
      manager: string;
      operation: 'Update' | 'Apply';
      fields: unknown;
    },
  ): void {
    const t = route.t;
    if (
      next?.metadata?.name !== undefined &&
      next.metadata.name !== route.name
    ) {
      throw badRequest(
        `the name of the object (${next.metadata.name}) does not match the name on the URL (${route.name})`,
      );
    }
    const rv = next?.metadata?.resourceVersion;
    if (rv && rv !== existing.metadata.resourceVersion)
      throw conflict(t.plural, t.group, route.name!);
    let warnings: string[] = [];
    if (route.sub === 'scale') {
      const replicas = next?.spec?.replicas;
      if (!Number.isInteger(replicas) || replicas < 0) {
        throw invalid('Scale', 'autoscaling', route.name!, [
          {
            field: 'spec.replicas',
            message: `Invalid value: ${JSON.stringify(
              replicas,
            )}: must be greater than or equal to 0`,
            reason: 'FieldValueInvalid',
          },
        ]);
      }
      const target = clone(existing);
      const segs = t
        .scaleSubresource!.specReplicasPath.split('.')
        .filter(Boolean);
      let cur: any = target;
      for (const s of segs.slice(0, -1)) cur = cur[s] ??= {};
      cur[segs[segs.length - 1]] = replicas;
      this.#recordManager(
        target,
        opts.manager,
        opts.operation,
        { 'f:spec': { 'f:replicas': {} } },
        'scale',
      );
      const stored = this.#store.replace(target, 'main', {
        dryRun: opts.dryRun,
      });
      sendJson(res, 200, this.#scaleOf(stored, t));
      return;
    }
    next.metadata ??= {};
    next.metadata.name = route.name;
    if (route.sub === 'status') {
      const target = { ...clone(existing), status: next.status };
      this.#recordManager(
        target,
        opts.manager,
        opts.operation,
        { 'f:status': {} },
        'status',
      );
      const stored = this.#store.replace(target, 'status', {
        dryRun: opts.dryRun,
      });
      this.#respondObject(req, res, url, t, this.#servedAs(stored, t));
      return;
    }
    warnings = this.#admit(next, route, url, existing);
    next.metadata.managedFields ??= existing.metadata.managedFields;
    if (opts.operation === 'Update') {
      this.#recordManager(next, opts.manager, 'Update', opts.fields);
    } else this.#recordManager(next, opts.manager, 'Apply', opts.fields);
    const stored = this.#store.replace(next, 'main', { dryRun: opts.dryRun });
    this.#respondObject(
      req,
      res,
      url,
      t,
      this.#servedAs(stored, t),
      200,
      this.#warningHeaders(warnings),
    );
  }

  async #update(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    route: ResourceRoute,
  ): Promise<void> {
    if (route.name === undefined || route.t.readOnly) {
      throw new ApiError(
        405,
        'MethodNotAllowed',
        'the server does not allow this method on the requested resource',
      );
    }
    const body = await this.#body(req);
    const existing = this.#load(route);
    // Custom resources allow no unconditional update, unlike most built-ins.
    if (!route.t.builtin && !body?.metadata?.resourceVersion) {
      throw invalid(route.t.kind, route.t.group, route.name, [
        {
          field: 'metadata.resourceVersion',
          message: 'Invalid value: 0x0: must be specified for an update',
          reason: 'FieldValueInvalid',
        },
      ]);
    }
    this.#write(req, res, url, route, existing, body, {
      dryRun: this.#dryRun(url),
      manager: this.#manager(req, url),
      operation: 'Update',
      fields: fieldsV1Of(body, route.t.builtin),
    });
  }

  async #patch(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    route: ResourceRoute,
  ): Promise<void> {
    const t = route.t;
    if (route.name === undefined || t.readOnly) {
      throw new ApiError(
        405,
        'MethodNotAllowed',
        'the server does not allow this method on the requested resource',
      );
    }
    const type = String(req.headers['content-type'] ?? '')
      .split(';')[0]
      .trim();
    const accepted = [
      'application/json-patch+json',
      'application/merge-patch+json',
      'application/apply-patch+yaml',
      ...(t.builtin ? ['application/strategic-merge-patch+json'] : []),
    ];
    if (!accepted.includes(type)) {
      throw new ApiError(
        415,
        'UnsupportedMediaType',
        `the body of the request was in an unknown format - accepted media types include: ${accepted.join(
          ', ',
        )}`,
      );
    }
    const body = await this.#body(req);
    const dryRun = this.#dryRun(url);
    const manager = this.#manager(req, url);
    if (type === 'application/apply-patch+yaml') {
      await this.#apply(req, res, url, route, body, dryRun);
      return;
    }
    const existing = this.#load(route);
    const base =
      route.sub === 'scale' ? this.#scaleOf(existing, t) : clone(existing);
    let next: any;
    if (type === 'application/json-patch+json')
      next = applyJsonPatch(base, body);
    else if (type === 'application/merge-patch+json')
      next = applyMergePatch(base, body);
    else next = applyStrategicMergePatch(base, body);
    if (typeof next !== 'object' || next === null)
      throw badRequest('patch produced a non-object');
    this.#write(req, res, url, route, existing, next, {
      dryRun,
      manager,
      operation: 'Update',
      fields: Array.isArray(body) ? {} : fieldsV1Of(body, t.builtin),
    });
  }

  async #apply(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    route: ResourceRoute,
    applied: any,
    dryRun: boolean,
  ): Promise<void> {
    const t = route.t;
    const manager = url.searchParams.get('fieldManager');
    if (!manager) {
      throw invalid('PatchOptions', 'meta.k8s.io', '', [
        {
          field: 'fieldManager',
          message: 'Required value: is required for apply patch',
          reason: 'FieldValueRequired',
        },
      ]);
    }
    if (
      !applied ||
      typeof applied !== 'object' ||
      !applied.apiVersion ||
      !applied.kind
    ) {
      throw badRequest('apply patches must carry apiVersion and kind');
    }
    const { group } = parseApiVersion(applied.apiVersion);
    if (group !== t.group || applied.kind !== t.kind) {
      throw badRequest(
        `the API version in the data (${
          applied.apiVersion
        }) does not match the expected API version (${apiVersionOf(t)})`,
      );
    }
    const fields = fieldsV1Of(applied, t.builtin);
    const existing = this.#store.peek(
      t.group,
      t.kind,
      t.namespaced ? route.namespace : undefined,
      route.name!,
    );
    if (!existing) {
      if (route.sub) throw notFound(t.plural, t.group, route.name!);
      const obj = clone(applied);
      obj.metadata = { ...obj.metadata, name: route.name };
      const warnings = this.#admit(obj, route, url);
      this.#recordManager(obj, manager, 'Apply', fields);
      const created = this.#store.create(obj, { dryRun });
      this.#respondObject(
        req,
        res,
        url,
        t,
        this.#servedAs(created, t),
        201,
        this.#warningHeaders(warnings),
      );
      return;
    }
    this.#checkApplyConflicts(
      existing,
      applied,
      manager,
      boolParam(url, 'force'),
    );
    const base =
      route.sub === 'scale' ? this.#scaleOf(existing, t) : clone(existing);
    const merged = applyConfiguration(base, applied, t.builtin);
    if (!route.sub) {
      const entries = (existing.metadata.managedFields as any[]) ?? [];
      const mine = entries.find(
        e => e.manager === manager && e.operation === 'Apply' && !e.subresource,
      );
      const others = entries
        .filter(e => e !== mine && !e.subresource)
        .map(e => e.fieldsV1);
      removeUnappliedFields(merged, mine?.fieldsV1, fields, others);
    }
    merged.metadata.resourceVersion = undefined;
    this.#write(req, res, url, route, existing, merged, {
      dryRun,
      manager,
      operation: 'Apply',
      fields,
    });
  }

  /**
   * The simple form of apply conflicts: a scalar this manager sets to a new
   * value is owned (by an earlier Apply) of another manager.
   */
  #checkApplyConflicts(
    existing: KubeObject,
    applied: any,
    manager: string,
    force: boolean,
  ): void {
    if (force) return;
    const others = ((existing.metadata.managedFields as any[]) ?? []).filter(
      e => e.manager !== manager && e.operation === 'Apply' && !e.subresource,
    );
    const conflicts: Array<{ field: string; manager: string }> = [];
    const walk = (a: any, live: any, owned: any, path: string, mgr: string) => {
      if (!a || typeof a !== 'object' || Array.isArray(a) || !owned) return;
      for (const [k, v] of Object.entries(a)) {
        const f = owned[`f:${k}`];
        if (!f) continue;
        const p = `${path}.${k}`;
        if (v !== null && typeof v === 'object' && !Array.isArray(v))
          walk(v, live?.[k], f, p, mgr);
        else if (JSON.stringify(v) !== JSON.stringify(live?.[k]))
          conflicts.push({ field: p, manager: mgr });
      }
    };
    for (const o of others) walk(applied, existing, o.fieldsV1, '', o.manager);
    if (conflicts.length) {
      throw new ApiError(
        409,
        'Conflict',
        `Apply failed with ${conflicts.length} conflict${
          conflicts.length > 1 ? 's' : ''
        }: ${conflicts
          .map(c => `conflict with "${c.manager}": ${c.field}`)
          .join('\n')}`,
        {
          causes: conflicts.map(c => ({
            reason: 'FieldManagerConflict',
            message: `conflict with "${c.manager}"`,
            field: c.field,
          })),
        },
      );
    }
  }

  async #deleteOptions(req: IncomingMessage): Promise<any> {
    const raw = (await readBody(req)).toString('utf8').trim();
    if (!raw) return {};
    try {
      return JSON.parse(raw);
    } catch {
      throw badRequest('invalid DeleteOptions');
    }
  }

  async #delete(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    route: ResourceRoute,
  ): Promise<void> {
    const t = route.t;
    if (route.sub || t.readOnly)
      throw new ApiError(
        405,
        'MethodNotAllowed',
        'the server does not allow this method on the requested resource',
      );
    const opts = await this.#deleteOptions(req);
    const dryRun = this.#dryRun(url, opts);
    const policy =
      url.searchParams.get('propagationPolicy') ?? opts.propagationPolicy;
    const gone = this.#store.remove(
      apiVersionOf(t),
      t.kind,
      route.namespace,
      route.name!,
      {
        dryRun,
        orphan: policy === 'Orphan',
        preconditionRv: opts.preconditions?.resourceVersion,
        preconditionUid: opts.preconditions?.uid,
      },
    );
    if (t.kind === 'Pod' || !t.builtin) {
      sendJson(res, 200, this.#servedAs(gone, t));
      return;
    }
    sendJson(res, 200, {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Success',
      details: {
        name: route.name,
        ...(t.group ? { group: t.group } : {}),
        kind: t.plural,
        uid: gone.metadata.uid,
      },
    });
  }

  async #deleteCollection(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    route: ResourceRoute,
  ): Promise<void> {
    const t = route.t;
    if (t.readOnly)
      throw new ApiError(
        405,
        'MethodNotAllowed',
        'the server does not allow this method on the requested resource',
      );
    const opts = await this.#deleteOptions(req);
    const dryRun = this.#dryRun(url, opts);
    const items = this.#matching(route, url).map(o => clone(o));
    const gone = items.map(o =>
      this.#store.remove(
        o.apiVersion,
        o.kind,
        o.metadata.namespace,
        o.metadata.name,
        { dryRun },
      ),
    );
    sendJson(res, 200, {
      kind: t.listKind,
      apiVersion: apiVersionOf(t),
      metadata: { resourceVersion: String(this.#store.resourceVersion) },
      items: gone.map(o => this.#servedAs(o, t)),
    });
  }

  #watch(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    route: ResourceRoute,
  ): void {
    const t = route.t;
    const match = this.#selectors(url, route);
    const rendering = renderingOf(req, url);
    const stored = this.#storage(t);
    const gk = groupKindKey(stored.group, stored.kind);
    const bookmarks = boolParam(url, 'allowWatchBookmarks');
    const sendInitial = boolParam(url, 'sendInitialEvents');
    const from = resourceVersionParam(url);
    const timeoutSeconds = Number(url.searchParams.get('timeoutSeconds') ?? 0);
    const store = this.#store;
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
      const served = this.#servedAs(o, t);
      if (rendering.table) {
        const table = renderTable(t, [served], {
          now: this.#opts.now(),
          includeObject: rendering.table.includeObject,
          resourceVersion: o.metadata.resourceVersion,
          withColumns: !columnsSent,
          tableVersion: rendering.table.version,
        });
        columnsSent = true;
        return table;
      }
      if (rendering.partial)
        return {
          kind: 'PartialObjectMetadata',
          apiVersion: 'meta.k8s.io/v1',
          metadata: o.metadata,
        };
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
      for (const o of this.#matching(route, url)) write('ADDED', render(o));
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
    this.#watches.add(res);
    const timers: NodeJS.Timeout[] = [];
    if (bookmarks) {
      const iv = setInterval(
        () => bookmark(),
        this.#opts.bookmarkIntervalMs ?? 5000,
      );
      timers.push(iv);
    }
    if (timeoutSeconds > 0) {
      timers.push(setTimeout(() => res.end(), timeoutSeconds * 1000));
    }
    const cleanup = () => {
      unsubscribe();
      for (const tm of timers) clearTimeout(tm);
      this.#watches.delete(res);
    };
    res.on('close', cleanup);
    req.on('close', () => {
      if (!res.writableEnded) res.end();
    });
  }
}
