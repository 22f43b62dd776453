/*
 * Calling an Elasticsearch cluster's REST API through `pods/exec`: which
 * node a side's calls go to (the StatefulSet's first pod), the `curl`
 * command line that carries no secret (the `elastic` password is the
 * container's ELASTIC_PASSWORD, expanded by the pod's shell; a container
 * without it is called with plain `curl`, its credentials then come from a
 * mounted .curlrc or netrc), and Elasticsearch's JSON answer read back,
 * its errors thrown with their type and reason.
 */
import { KubeObject } from '@multicluster/backstage-plugin-statefulsets-common';
import { FailoverCallContext, FailoverSide } from '../failover';

/** The Elasticsearch node a side's calls go to. */
export interface EsNode {
  side: FailoverSide;
  namespace: string;
  pod: string;
  container: string;
  /** The StatefulSet as read before this action. */
  statefulSet: KubeObject;
  /** The StatefulSet's headless Service (the pods' DNS subdomain). */
  serviceName: string;
  /** Whether the container has ELASTIC_PASSWORD in its environment. */
  passwordFromEnv: boolean;
}

const ES_IMAGE = /(^|\/)elasticsearch(:|@|$)/i;

/**
 * The first pod of a side's StatefulSet, or undefined when its client
 * cannot exec, the StatefulSet runs no Elasticsearch container, or ECK
 * owns it.
 */
export function esNodeOf(
  side: FailoverSide,
  sts: KubeObject,
): EsNode | undefined {
  const containers: any[] = sts.spec?.template?.spec?.containers ?? [];
  const container = containers.find(c => ES_IMAGE.test(String(c?.image ?? '')));
  // ECK's StatefulSets follow its resource, which another provider changes.
  const byEck = (sts.metadata.ownerReferences ?? []).some(
    (o: any) => o?.kind === 'Elasticsearch',
  );
  if (!side.client.exec || !container || byEck) return undefined;
  return {
    side,
    namespace: side.workload.namespace,
    pod: `${side.workload.name}-${Number(sts.spec?.ordinals?.start ?? 0)}`,
    container: String(container.name),
    statefulSet: sts,
    serviceName: String(sts.spec?.serviceName ?? side.workload.name),
    passwordFromEnv: (container.env ?? []).some(
      (e: any) => e?.name === 'ELASTIC_PASSWORD',
    ),
  };
}

/** One REST call: method, path (with query) and JSON body. */
export interface EsCall {
  method: 'GET' | 'PUT' | 'POST' | 'DELETE';
  path: string;
  body?: unknown;
}

/** A call as the plan shows it: `PUT /products/_ccr/follow {…}`. */
export function describeCall(call: EsCall): string {
  return `${call.method} ${call.path}${
    call.body !== undefined ? ` ${JSON.stringify(call.body)}` : ''
  }`;
}

/** The exec command making one REST call on the node's own HTTP port. */
export function esCurlCommand(
  call: EsCall,
  options: { passwordFromEnv: boolean },
): string[] {
  const json = call.body === undefined ? undefined : JSON.stringify(call.body);
  if (/['"\\`$]/.test(call.path) || (json && /['\\`$]/.test(json))) {
    throw new Error(
      `Refusing to pass a request with shell quoting characters through exec: ${describeCall(
        call,
      )}`,
    );
  }
  const url = `http://localhost:9200${call.path}`;
  const data = json ? ['-H', 'Content-Type: application/json', '-d', json] : [];
  if (!options.passwordFromEnv) {
    return ['curl', '-s', '-X', call.method, url, ...data];
  }
  const quoted = data.map(w => `'${w}'`).join(' ');
  return [
    'sh',
    '-c',
    `curl -s -u "elastic:$ELASTIC_PASSWORD" -X ${call.method} '${url}'${
      quoted ? ` ${quoted}` : ''
    }`,
  ];
}

/** Default deadline of one REST call. */
export const ES_EXEC_TIMEOUT_MS = 15_000;

/** An error answer of Elasticsearch. */
export class EsApiError extends Error {
  constructor(message: string, readonly status: number, readonly type: string) {
    super(message);
    this.name = 'EsApiError';
  }
}

/**
 * Makes one REST call on a node; its JSON answer, or an EsApiError naming
 * the pod, the call and Elasticsearch's error type and reason.
 */
export async function esRequest<T = any>(
  node: EsNode,
  call: EsCall,
  ctx: Pick<FailoverCallContext, 'signal'>,
  options?: { timeoutMs?: number },
): Promise<T> {
  const { side } = node;
  const where = `Elasticsearch in ${side.cluster} pod ${node.namespace}/${node.pod}`;
  const result = await side.client.exec!(
    { namespace: node.namespace, pod: node.pod, container: node.container },
    esCurlCommand(call, node),
    { timeoutMs: options?.timeoutMs ?? ES_EXEC_TIMEOUT_MS, signal: ctx.signal },
  );
  if (result.exitCode !== 0) {
    throw new Error(
      `${where}: curl exited with ${result.exitCode} on ${call.method} ${
        call.path
      }: ${result.stderr.trim() || result.stdout.trim() || 'no output'}`,
    );
  }
  let body: any;
  try {
    body = JSON.parse(result.stdout);
  } catch {
    throw new Error(
      `${where} answered ${call.method} ${
        call.path
      } with something other than JSON: ${result.stdout.slice(0, 200)}`,
    );
  }
  if (body && typeof body === 'object' && body.error) {
    const type = String(body.error.type ?? 'error');
    const status = Number(body.status ?? 500);
    const hint =
      status === 401
        ? ' (the pod needs the elastic password in ELASTIC_PASSWORD, or a mounted .curlrc)'
        : '';
    throw new EsApiError(
      `${where} answered ${status} to ${call.method} ${call.path}: ${type}: ${
        body.error.reason ?? ''
      }${hint}`,
      status,
      type,
    );
  }
  return body as T;
}
