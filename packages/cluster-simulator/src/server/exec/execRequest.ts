/*
 * `pods/exec`: the checks kube-apiserver makes before upgrading (pod,
 * container, parameters, protocol), the WebSocket upgrade, and the command
 * run by the engine emulators with its exit Status on the error channel.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
// ws is the WebSocket server @kubernetes/client-node already brings in; it
// is not declared here so the lockfile stays as it is.
import { WebSocketServer } from 'ws';
import { boolParam } from '../../api/queryParams';
import { ApiError, badRequest, notFound } from '../../api/status';
import type { ClusterStore } from '../../store/ClusterStore';
import { PeerDirectory, runCommand } from '../../engines/programs';
import { EXEC_PROTOCOLS, ExecChannels, pickProtocol } from './execProtocol';

/** The raw connection of a request that asked to be upgraded. */
export interface UpgradeInfo {
  socket: Duplex;
  head: Buffer;
}

const UPGRADE = Symbol('upgrade');

/** Marks a request as an upgrade request (set by the listener). */
export function markUpgrade(req: IncomingMessage, info: UpgradeInfo): void {
  (req as any)[UPGRADE] = info;
}

function upgradeOf(req: IncomingMessage): UpgradeInfo | undefined {
  return (req as any)[UPGRADE];
}

/** The namespace and pod of an exec URL below /api/v1, if it is one. */
export function execPath(
  group: string,
  rest: string[],
): { namespace: string; pod: string } | undefined {
  if (group !== '' || rest.length !== 5) return undefined;
  if (rest[0] !== 'namespaces' || rest[2] !== 'pods' || rest[4] !== 'exec')
    return undefined;
  return { namespace: rest[1], pod: rest[3] };
}

const wss = new WebSocketServer({
  noServer: true,
  handleProtocols: protocols => pickProtocol([...protocols]) ?? false,
});

function offeredProtocols(req: IncomingMessage): string[] {
  return String(req.headers['sec-websocket-protocol'] ?? '')
    .split(',')
    .map(p => p.trim())
    .filter(Boolean);
}

/** Serves one exec request (authentication and RBAC already passed). */
export function serveExec(
  ctx: { store: ClusterStore; now(): number; peers?: PeerDirectory },
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  where: { namespace: string; pod: string },
): void {
  const method = req.method ?? 'GET';
  if (method !== 'GET' && method !== 'POST')
    throw new ApiError(
      405,
      'MethodNotAllowed',
      'the server does not allow this method on the requested resource',
    );
  const pod = ctx.store.peek('', 'Pod', where.namespace, where.pod);
  if (!pod) throw notFound('pods', '', where.pod);
  const command = url.searchParams.getAll('command');
  const stdin = boolParam(url, 'stdin');
  const stdout = boolParam(url, 'stdout');
  const stderr = boolParam(url, 'stderr');
  if (boolParam(url, 'tty') && stderr)
    throw badRequest('tty and stderr cannot both be true');
  if (command.length === 0)
    throw badRequest('you must specify at least 1 command');
  if (!stdin && !stdout && !stderr)
    throw badRequest('you must specify at least one of stdin, stdout, stderr');
  const containers: any[] = pod.spec?.containers ?? [];
  const wanted = url.searchParams.get('container');
  const sole = containers.length === 1 ? containers[0] : undefined;
  let container = wanted ? containers.find(c => c.name === wanted) : sole;
  if (!wanted && !container)
    throw badRequest(
      `a container name must be specified for pod ${
        where.pod
      }, choose one of: [${containers.map(c => c.name).join(' ')}]`,
    );
  if (!container)
    throw badRequest(`container ${wanted} is not valid for pod ${where.pod}`);
  if (!pod.spec?.nodeName)
    throw badRequest(`pod ${where.pod} does not have a host assigned`);
  if (pod.status?.phase !== 'Running')
    throw badRequest(
      `unable to upgrade connection: container not found ("${
        container.name
      }"): pod ${where.pod} is ${pod.status?.phase ?? 'Pending'}, not Running`,
    );
  const upgrade = upgradeOf(req);
  if (!upgrade || String(req.headers.upgrade).toLowerCase() !== 'websocket')
    throw badRequest(
      'Upgrade request required: pods/exec is served over WebSocket (subprotocol v5.channel.k8s.io or v4.channel.k8s.io); SPDY is not supported by the simulator',
    );
  if (!pickProtocol(offeredProtocols(req)))
    throw badRequest(
      `unable to upgrade connection: none of the requested subprotocols [${offeredProtocols(
        req,
      ).join(', ')}] is supported; use one of ${EXEC_PROTOCOLS.join(', ')}`,
    );
  container = structuredClone(container);
  res.detachSocket(upgrade.socket as any);
  wss.handleUpgrade(req, upgrade.socket, upgrade.head, ws => {
    const io = new ExecChannels(ws, { stdin, stdout, stderr });
    runCommand(
      command,
      { store: ctx.store, pod, container, now: ctx.now, peers: ctx.peers },
      io,
    )
      .catch(e => {
        io.stderr(`simulator: ${(e as Error)?.message ?? String(e)}\n`);
        return 1;
      })
      .then(code => io.finish(code, command));
  });
}
