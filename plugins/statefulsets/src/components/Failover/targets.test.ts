import { mysqlTopology } from '../../__fixtures__/topology';
import { failoverTargets, modesFor } from './targets';

describe('failover targets', () => {
  it('offers the passive side of an active-passive pair', () => {
    const t = mysqlTopology();
    expect(failoverTargets(t)).toEqual(['eu-west']);
    expect(modesFor(t)).toEqual(['switchover', 'failover']);
  });

  it('offers nothing when the passive side is unreachable', () => {
    const t = mysqlTopology();
    t.clusters[1].reachable = false;
    expect(failoverTargets(t)).toEqual([]);
  });

  it('offers the clusters taking traffic for a drain when active-active', () => {
    const t = mysqlTopology();
    t.policy.strategy = 'active-active';
    expect(failoverTargets(t)).toEqual(['eu-central']);
    expect(modesFor(t)).toEqual(['drain']);
  });
});
