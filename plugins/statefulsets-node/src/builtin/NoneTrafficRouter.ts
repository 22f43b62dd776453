/*
 * The router used when an entity has no known traffic route: it changes
 * nothing, and the engine records that clients must be redirected by hand.
 */
import { FailoverTrafficRouter, TrafficChange } from '../failover';
import { TrafficSplit } from '@multicluster/backstage-plugin-statefulsets-common';

/** A router that moves nothing. */
export class NoneTrafficRouter implements FailoverTrafficRouter {
  readonly id = 'none' as const;

  async readTraffic(): Promise<TrafficSplit | undefined> {
    return undefined;
  }

  async hasRoute(): Promise<boolean> {
    return false;
  }

  async readWeights(): Promise<Record<string, number>> {
    return {};
  }

  async setWeights(): Promise<TrafficChange> {
    return { undo: {}, unreachable: [] };
  }

  async moveTraffic(): Promise<TrafficChange> {
    return { undo: {}, unreachable: [] };
  }

  async restore(): Promise<void> {
    // Nothing was changed.
  }
}
