import { ReplicationProvider, TrafficRouter } from '../types';
import {
  isFailoverReplicationProvider,
  isFailoverTrafficRouter,
} from './guards';
import { GenericStatefulSetProvider, IstioTrafficRouter } from '../builtin';

const readOnlyProvider: ReplicationProvider = {
  id: 'read-only',
  supports: () => true,
  readReplication: async () => [],
};

const readOnlyRouter: TrafficRouter = {
  id: 'read-only',
  readTraffic: async () => undefined,
};

describe('failover type guards', () => {
  it('tells read-only providers and routers from write-capable ones', () => {
    expect(isFailoverReplicationProvider(readOnlyProvider)).toBe(false);
    expect(isFailoverTrafficRouter(readOnlyRouter)).toBe(false);
    const provider = Object.assign(
      { ...readOnlyProvider },
      {
        supportsWorkload: () => true,
        fence: async () => ({}),
        unfence: async () => {},
        promote: async () => ({}),
        waitCaughtUp: async () => ({ seconds: 0 }),
      },
    );
    expect(isFailoverReplicationProvider(provider)).toBe(true);
    const router = Object.assign(
      { ...readOnlyRouter },
      {
        id: 'istio',
        setWeights: async () => ({ undo: {}, unreachable: [] }),
        moveTraffic: async () => ({ undo: {}, unreachable: [] }),
        restore: async () => {},
      },
    );
    expect(isFailoverTrafficRouter(router)).toBe(true);
  });

  it('knows the built-in classes serve both sides', () => {
    const provider = new GenericStatefulSetProvider();
    expect(isFailoverReplicationProvider(provider)).toBe(true);
    expect(isFailoverTrafficRouter(new IstioTrafficRouter())).toBe(true);
  });
});
