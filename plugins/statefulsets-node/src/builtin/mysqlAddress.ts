/*
 * Where a MySQL server is reached from another cluster: the address the
 * topology already uses (read from a replica's SHOW REPLICA STATUS) with
 * the pod and cluster swapped, or the Multi-Cluster Services name when no
 * address is known.
 */
import { FailoverCallContext } from '../failover';
import { MysqlServer } from './mysqlExec';
import { readReplicaStatus } from './mysqlState';

/** How another server of the topology is reached across clusters, as seen in the engine. */
export interface KnownAddress {
  host: string;
  pod: string;
  cluster: string;
}

/**
 * Where a server is reached from another cluster. `known` is another
 * primary's address as a replica used it, when the provider saw one.
 */
export type MysqlAddress = (
  server: MysqlServer,
  known?: KnownAddress,
) => string;

/**
 * The address the topology already uses, with the pod and cluster swapped
 * (`<pod>.<cluster>.<svc>.<ns>.svc.clusterset.local` with MCS, a per-pod
 * Service name with Istio); the Multi-Cluster Services name when no address
 * is known.
 */
export const mysqlPeerAddress: MysqlAddress = (s, known) => {
  if (!known) {
    return `${s.pod}.${s.side.cluster}.${s.serviceName}.${s.namespace}.svc.clusterset.local`;
  }
  const [first, ...rest] = known.host.split('.');
  return [
    first.split(known.pod).join(s.pod),
    ...rest.map(l => (l === known.cluster ? s.side.cluster : l)),
  ].join('.');
};

/**
 * How a replica reaches `source`'s server, from the replica's channels
 * (the one named after the source's cluster, else its first); undefined
 * when the replica cannot be read or does not replicate.
 */
export async function addressSeenBy(
  replica: MysqlServer | undefined,
  source: MysqlServer,
  ctx: FailoverCallContext,
): Promise<KnownAddress | undefined> {
  if (!replica) return undefined;
  const channels = await readReplicaStatus(replica, ctx).catch(() => []);
  const channel =
    channels.find(c => c.Channel_Name === source.side.cluster) ?? channels[0];
  return channel?.Source_Host
    ? {
        host: channel.Source_Host,
        pod: source.pod,
        cluster: source.side.cluster,
      }
    : undefined;
}
