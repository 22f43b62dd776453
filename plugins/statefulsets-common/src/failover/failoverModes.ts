/*
 * Which failover modes fit a database: the declared strategy, corrected by
 * what the engine reports. A MongoDB replica set spanning sites is
 * declared active-active (every site serves reads and takes traffic), yet
 * its engine elects one primary: moving that primary is a switchover, and
 * draining a site's traffic stays possible beside it.
 */
import { EntityTopology } from '../types';
import { FailoverMode } from './types';

/**
 * Whether the engine itself reports exactly one writable side and at least
 * one passive one, every running side's role read from the engine (not
 * from annotations, which cannot tell a primary from a secondary).
 */
export function engineShowsOneWriter(topology: EntityTopology): boolean {
  const running = topology.clusters.filter(
    c => c.reachable && c.workloads.length > 0,
  );
  const fromEngine = running.every(c => c.workloads[0].roleSource);
  const active = running.filter(c => c.role === 'active');
  return (
    fromEngine && active.length === 1 && running.some(c => c.role === 'passive')
  );
}

/** The modes that make sense for the database, whatever its state now. */
export function failoverModesFor(topology: EntityTopology): FailoverMode[] {
  if (topology.policy.strategy !== 'active-active') {
    return ['switchover', 'failover'];
  }
  return engineShowsOneWriter(topology)
    ? ['switchover', 'failover', 'drain']
    : ['drain'];
}
