/*
 * The forms a client can ask an object in: the object itself, a Table (what
 * `kubectl get` prints) or metadata only, chosen from the Accept header the
 * way kube-apiserver chooses, and the version each kind is served at.
 */
import type { IncomingMessage } from 'node:http';
import type { KubeObject } from '../controllers/types';
import { toEventsV1 } from '../api/eventsV1';
import { ResourceType, apiVersionOf } from '../api/resources';
import {
  IncludeObject,
  partialObjectMetadata,
  renderTable,
} from '../api/tables';
import { sendJson } from './http';
import type { ResourceCall, ResourceContext } from './resourceRoute';

/** The form the client asked for; neither field means the object itself. */
export interface Rendering {
  table?: { version: string; includeObject: IncludeObject };
  partial?: boolean;
}

/** The first form of the Accept header this server can give. */
export function renderingOf(req: IncomingMessage, url: URL): Rendering {
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

/** A stored object as the requested kind and version shows it. */
export function servedAs(o: KubeObject, t: ResourceType): KubeObject {
  if (t.storedAs) return toEventsV1(o);
  const v = apiVersionOf(t);
  if (o.apiVersion === v) return o;
  return { ...o, apiVersion: v };
}

/** Answers one object in the form the client asked for. */
export function respondObject(
  ctx: ResourceContext,
  call: ResourceCall,
  o: KubeObject,
  code = 200,
  headers: Record<string, string> = {},
): void {
  const { req, res, url, route } = call;
  const rendering = renderingOf(req, url);
  if (rendering.table && o.kind !== 'Scale') {
    sendJson(
      res,
      code,
      renderTable(route.t, [o], {
        now: ctx.now(),
        includeObject: rendering.table.includeObject,
        resourceVersion: o.metadata.resourceVersion,
        tableVersion: rendering.table.version,
      }),
      headers,
    );
    return;
  }
  if (rendering.partial) {
    sendJson(res, code, partialObjectMetadata(o), headers);
    return;
  }
  sendJson(res, code, o, headers);
}

/** Admission warnings as `Warning` headers, which kubectl prints. */
export function warningHeaders(warnings: string[]): Record<string, string> {
  if (!warnings.length) return {};
  return {
    Warning: warnings.map(w => `299 - ${JSON.stringify(w)}`).join(', '),
  };
}
