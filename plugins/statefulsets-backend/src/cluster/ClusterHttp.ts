/*
 * One JSON request to one cluster's API server, with the cluster's current
 * credentials, a timeout, and typed errors whose messages never carry
 * credentials. The write edges (failover, apply) share it; reads go through
 * the watch cache instead. An impersonating variant sends the identity a
 * write acts for, and a refusal names the cluster, verb, object and identity.
 */
import { KubeConfig } from '@kubernetes/client-node';
import { ClusterCredentials } from './ClusterCredentials';
import { ClusterRequestError, reasonForStatus } from './ClusterRequestError';
import { PodExec, PodExecRequest, PodExecResult } from './PodExec';
import { RawResponse, sendRequest } from './sendRequest';
import {
  describeIdentity,
  impersonationHeaders,
  WriteIdentity,
} from './writeIdentity';

const VERBS: Record<string, string> = {
  POST: 'create',
  PUT: 'update',
  PATCH: 'patch',
  DELETE: 'delete',
};

/**
 * `patch statefulsets/orders-mysql in databases`: what a request does, in
 * RBAC's terms, for messages.
 */
export function describeRequest(
  method: string,
  path: string,
  body?: unknown,
): string {
  const parts = path.split('?')[0].split('/').filter(Boolean);
  let rest = parts[0] === 'api' ? parts.slice(2) : parts.slice(3);
  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length > 2) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const [resource = 'resources', name, sub] = rest;
  const created = method === 'POST' ? (body as any)?.metadata?.name : undefined;
  const object = [resource, name ?? created, sub].filter(Boolean).join('/');
  let verb = VERBS[method] ?? method;
  if (method === 'GET') verb = name ? 'get' : 'list';
  return `${verb} ${object}${namespace ? ` in ${namespace}` : ''}`;
}

/** Sends JSON requests to the current cluster of a KubeConfig. */
export class ClusterHttp {
  readonly cluster: string;
  readonly #credentials: ClusterCredentials;
  readonly #timeoutMs: number;
  readonly #identity?: WriteIdentity;

  constructor(
    cluster: string,
    credentials: KubeConfig | ClusterCredentials,
    options: { timeoutMs: number; identity?: WriteIdentity },
  ) {
    this.cluster = cluster;
    this.#credentials =
      credentials instanceof ClusterCredentials
        ? credentials
        : ClusterCredentials.fixed(credentials);
    this.#timeoutMs = options.timeoutMs;
    this.#identity = options.identity;
  }

  /** The identity requests are evaluated as, when impersonating. */
  get identity(): WriteIdentity | undefined {
    return this.#identity;
  }

  /** The same cluster and credentials, every request evaluated as `identity`. */
  impersonating(identity: WriteIdentity): ClusterHttp {
    return new ClusterHttp(this.cluster, this.#credentials, {
      timeoutMs: this.#timeoutMs,
      identity,
    });
  }

  /** Runs a command in a pod over `pods/exec`, as this edge's identity (see PodExec). */
  exec(request: PodExecRequest): Promise<PodExecResult> {
    return new PodExec(this.cluster, this.#credentials, {
      identity: this.#identity,
    }).exec(request);
  }

  /** GETs a path; undefined when the API server answers 404. */
  async get<T = any>(path: string): Promise<T | undefined> {
    try {
      return await this.request<T>('GET', path);
    } catch (err) {
      if (err instanceof ClusterRequestError && err.statusCode === 404) {
        return undefined;
      }
      throw err;
    }
  }

  /** Sends `body` as JSON (any JSON-compatible content type) and parses the answer. */
  async request<T>(
    method: string,
    path: string,
    body?: unknown,
    contentType?: string,
  ): Promise<T> {
    const { server, options: base } = await this.#credentials.resolve();
    const url = new URL(server.pathname.replace(/\/$/, '') + path, server);
    const payload =
      body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const where = `${method} ${url.pathname} in ${this.cluster}`;
    let answer: RawResponse;
    try {
      answer = await sendRequest(url, {
        request: {
          ...base,
          method,
          headers: {
            ...(base.headers ?? {}),
            ...(this.#identity ? impersonationHeaders(this.#identity) : {}),
            Accept: 'application/json',
            ...(payload
              ? {
                  'Content-Type': contentType ?? 'application/json',
                  'Content-Length': payload.length,
                }
              : {}),
          },
        },
        payload,
        timeoutMs: this.#timeoutMs,
        timeoutMessage: `${where}: no answer within ${this.#timeoutMs} ms`,
      });
    } catch (err) {
      if (err instanceof ClusterRequestError) throw err;
      throw new ClusterRequestError(
        'unreachable',
        `${where}: ${(err as Error).message}`,
        { cause: err },
      );
    }
    const status = answer.status;
    const text = answer.body.toString('utf8');
    if (status < 200 || status >= 300) {
      let detail = '';
      try {
        detail = JSON.parse(text)?.message ?? '';
      } catch {
        detail = '';
      }
      if (status === 401) this.#credentials.invalidate();
      throw new ClusterRequestError(
        reasonForStatus(status),
        status === 403
          ? this.#refusal(method, path, body, detail)
          : `${where}: HTTP ${status}${detail ? ` (${detail})` : ''}`,
        { statusCode: status },
      );
    }
    try {
      return (text ? JSON.parse(text) : undefined) as T;
    } catch (cause) {
      throw new ClusterRequestError(
        'malformed',
        `${where}: the answer is not JSON`,
        { cause },
      );
    }
  }

  /** A 403 in words an operator can act on: who was refused what, where. */
  #refusal(
    method: string,
    path: string,
    body: unknown,
    detail: string,
  ): string {
    const who = this.#identity
      ? describeIdentity(this.#identity)
      : "the backend's write credentials";
    return `${this.cluster} refused ${describeRequest(
      method,
      path,
      body,
    )} for ${who}: the cluster's RBAC does not allow it${
      detail ? ` (${detail})` : ''
    }`;
  }
}
