/*
 * The one request path of the generated REST client: the plugin's base URL
 * from discovery, JSON in and out, an optional bearer token, and a
 * ResponseError for every answer the spec does not declare as a result.
 */
import { ResponseError } from '@backstage/errors';

/** A Response whose JSON body has the type the spec declares. */
export type TypedResponse<T> = Omit<Response, 'json'> & {
  json(): Promise<T>;
};

/** Per-call options: a bearer token (backend callers) and an abort signal. */
export interface RequestOptions {
  token?: string;
  signal?: AbortSignal;
}

/** What the client needs: a base URL per plugin and a fetch (the frontend's fetchApi adds the user's token). */
export interface StatefulSetsRestClientOptions {
  discoveryApi: { getBaseUrl(pluginId: string): Promise<string> };
  fetchApi?: { fetch: typeof fetch };
}

/** One operation's request as the generated client describes it. */
export interface OperationRequest {
  method: string;
  query?: Record<string, string | number | boolean | undefined>;
  headers?: Record<string, string | undefined>;
  body?: unknown;
  /** Statuses below 400 that are not 2xx but results (a 304). */
  okStatuses: number[];
}

/** Sends one operation to `<base URL of pluginId><path>`; throws ResponseError on failure. */
export async function sendRequest<T>(
  client: StatefulSetsRestClientOptions & { pluginId: string },
  path: string,
  request: OperationRequest,
  options?: RequestOptions,
): Promise<TypedResponse<T>> {
  const baseUrl = await client.discoveryApi.getBaseUrl(client.pluginId);
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(request.query ?? {})) {
    if (value !== undefined) query.set(key, String(value));
  }
  const search = query.size ? `?${query}` : '';
  const headers: Record<string, string> = { Accept: 'application/json' };
  for (const [key, value] of Object.entries(request.headers ?? {})) {
    if (value !== undefined) headers[key] = value;
  }
  if (request.body !== undefined) headers['Content-Type'] = 'application/json';
  if (options?.token) headers.Authorization = `Bearer ${options.token}`;
  // Called through an arrow: a browser's fetch refuses any other `this`.
  const fetchApi = client.fetchApi ?? { fetch: (...args) => fetch(...args) };
  const response = await fetchApi.fetch(`${baseUrl}${path}${search}`, {
    method: request.method,
    headers,
    body: request.body === undefined ? undefined : JSON.stringify(request.body),
    signal: options?.signal,
  });
  if (!response.ok && !request.okStatuses.includes(response.status)) {
    throw await ResponseError.fromResponse(response);
  }
  return response;
}
