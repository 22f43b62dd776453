import {
  AnnotationReplicationProvider,
  IstioTrafficRouter,
} from '../providers';
import {
  isFailoverReplicationProvider,
  isFailoverTrafficRouter,
} from './guards';

describe('failover type guards', () => {
  it('tells read-only providers and routers from write-capable ones', () => {
    expect(
      isFailoverReplicationProvider(new AnnotationReplicationProvider()),
    ).toBe(false);
    expect(isFailoverTrafficRouter(new IstioTrafficRouter())).toBe(false);
    const provider = Object.assign(new AnnotationReplicationProvider(), {
      supportsWorkload: () => true,
      fence: async () => ({}),
      unfence: async () => {},
      promote: async () => ({}),
      waitCaughtUp: async () => ({ seconds: 0 }),
    });
    expect(isFailoverReplicationProvider(provider)).toBe(true);
    const router = Object.assign(new IstioTrafficRouter(), {
      method: 'virtualservice',
      setWeights: async () => ({ undo: {}, unreachable: [] }),
      moveTraffic: async () => ({ undo: {}, unreachable: [] }),
      restore: async () => {},
    });
    expect(isFailoverTrafficRouter(router)).toBe(true);
  });
});
