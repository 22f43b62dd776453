/*
 * The documents clients read before they touch a resource: API discovery
 * (/api, /apis, each group and group version) and the OpenAPI v2 and v3
 * schemas kubectl validates and explains with.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
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
import type { ResourceRegistry } from '../api/resources';
import { ApiError } from '../api/status';
import { resourceNotFound } from './apiErrors';
import { sendJson } from './http';

/** A URL below a group version: the part that names a resource. */
export interface ResourcePath {
  group: string;
  version: string;
  rest: string[];
}

/**
 * Answers a discovery or OpenAPI request and returns undefined; for a URL
 * below a group version returns where it points instead.
 */
export function serveDiscovery(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  reg: ResourceRegistry,
  serverAddress: () => string,
): ResourcePath | undefined {
  const segs = path.split('/').filter(Boolean);
  if (segs[0] === 'openapi') {
    serveOpenApi(req, res, segs, reg);
    return undefined;
  }
  if (path === '/api') {
    sendJson(res, 200, apiVersions(serverAddress()));
    return undefined;
  }
  if (path === '/apis') {
    sendJson(res, 200, apiGroupList(reg));
    return undefined;
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
      if (!g) throw resourceNotFound();
      sendJson(res, 200, g);
      return undefined;
    }
    group = segs[1];
    version = segs[2];
    rest = segs.slice(3);
  } else {
    throw resourceNotFound();
  }
  if (rest.length === 0) {
    const doc = apiResourceList(reg, group, version);
    if (!doc) throw resourceNotFound();
    sendJson(res, 200, doc);
    return undefined;
  }
  return { group, version, rest };
}

function serveOpenApi(
  req: IncomingMessage,
  res: ServerResponse,
  segs: string[],
  reg: ResourceRegistry,
): void {
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
  throw resourceNotFound();
}
