/*
 * Type guards telling write-capable providers and routers from read-only
 * ones, so the backend can hand modules' additions to the failover engine
 * through the existing extension point without a second registration.
 */
import { ReplicationProvider, TrafficRouter } from '../types';
import { FailoverReplicationProvider, FailoverTrafficRouter } from './types';

/** True when a replication provider can also fence, promote and wait. */
export function isFailoverReplicationProvider(
  provider: ReplicationProvider,
): provider is FailoverReplicationProvider {
  const p = provider as Partial<FailoverReplicationProvider>;
  return (
    typeof p.supportsWorkload === 'function' &&
    typeof p.fence === 'function' &&
    typeof p.unfence === 'function' &&
    typeof p.promote === 'function' &&
    typeof p.waitCaughtUp === 'function'
  );
}

/** True when a traffic router can also move traffic. */
export function isFailoverTrafficRouter(
  router: TrafficRouter,
): router is FailoverTrafficRouter {
  const r = router as Partial<FailoverTrafficRouter>;
  return (
    ['istio', 'mcs', 'none'].includes(r.id as string) &&
    typeof r.setWeights === 'function' &&
    typeof r.moveTraffic === 'function' &&
    typeof r.restore === 'function'
  );
}
