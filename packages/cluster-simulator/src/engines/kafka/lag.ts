/*
 * How far a Kafka cluster MirrorMaker 2 mirrors into is behind its source,
 * as MirrorMaker 2's record age says it (../replicaLag): 0 while a flow
 * into it runs (the emulator mirrors every record at once), and while every
 * deployed flow is cut off from a cluster, the time since the cluster last
 * received a record from its source.
 */
import type { PeerDirectory } from '../programs';
import { lastReceived, type ReplicaLag, secondsSince } from '../replicaLag';
import {
  type BrokerCluster,
  holderOf,
  KAFKA_STATE_ANNOTATION,
} from './brokers';
import { flowsInto } from './flows';
import type { KafkaState } from './state';

/** The lag of the cluster `c`, or why nothing mirrors into it. */
export function mirrorLagOf(
  c: BrokerCluster,
  now: number,
  peers: PeerDirectory | undefined,
): ReplicaLag {
  const flows = flowsInto(c, peers).filter(f => f.deployed);
  if (!flows.length)
    return { error: 'no MirrorMaker 2 flow mirrors into this cluster' };
  const running = flows.some(f => f.running);
  const text = holderOf(c).metadata.annotations?.[KAFKA_STATE_ANNOTATION];
  const stored = text ? (JSON.parse(text) as KafkaState) : undefined;
  const at = lastReceived(
    c.store,
    `kafka/${c.key}`,
    running,
    now,
    stored?.mirroredAtMs,
  );
  if (running) return { lagSeconds: 0 };
  if (at === undefined)
    return {
      error: `MirrorMaker 2 does not reach the ${flows[0].sourceAlias} cluster`,
    };
  return { lagSeconds: secondsSince(now, at) };
}
