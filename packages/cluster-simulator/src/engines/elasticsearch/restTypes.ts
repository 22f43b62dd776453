/*
 * The shapes the emulated REST API answers with: a status and a JSON body,
 * errors in Elasticsearch's own envelope (`error.root_cause`, `type`,
 * `reason`, `status`).
 */
import type { EsClusterState, EsHost } from './state';

/** One REST answer. */
export interface RestResponse {
  status: number;
  body: unknown;
}

/** One REST request, as the node receives it. */
export interface RestRequest {
  method: string;
  /** Path segments without empty ones (`/products/_ccr/info` → 3). */
  parts: string[];
  query: URLSearchParams;
  body: any;
  host: EsHost;
  /** The cluster's state, materialized at the request's time. */
  state: EsClusterState;
  now: number;
  /** Running nodes of the cluster. */
  nodes: number;
}

/** What a handler returns: the answer, and whether the state changed. */
export interface Handled extends RestResponse {
  changed?: boolean;
}

/** An error answer as Elasticsearch words it. */
export function esError(
  status: number,
  type: string,
  reason: string,
  extra: Record<string, unknown> = {},
): Handled {
  const cause = { type, reason, ...extra };
  return {
    status,
    body: { error: { root_cause: [cause], ...cause }, status },
  };
}

/** `index_not_found_exception` for an index. */
export function indexNotFound(index: string): Handled {
  return esError(404, 'index_not_found_exception', `no such index [${index}]`, {
    'resource.type': 'index_or_alias',
    'resource.id': index,
    index_uuid: '_na_',
    index,
  });
}

/** `{"acknowledged":true}` plus extra fields, as a change. */
export function acknowledged(extra: Record<string, unknown> = {}): Handled {
  return { status: 200, body: { acknowledged: true, ...extra }, changed: true };
}

/** Flattens `{a:{b:1}}` into `{"a.b":1}` (settings bodies take both forms). */
export function flatten(
  value: unknown,
  prefix = '',
  out: Record<string, unknown> = {},
): Record<string, unknown> {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) {
      flatten(v, prefix ? `${prefix}.${k}` : k, out);
    }
  } else if (prefix) out[prefix] = value;
  return out;
}
