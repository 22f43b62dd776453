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

  it('offers a switchover to the passive sides when the engine of an active-active entity elects one primary', () => {
    const t = mysqlTopology();
    t.policy.strategy = 'active-active';
    for (const c of t.clusters) {
      c.workloads = c.workloads.map(w => ({
        ...w,
        roleSource: 'mongodb-exporter' as const,
      }));
    }
    expect(modesFor(t)).toEqual(['switchover', 'failover', 'drain']);
    expect(failoverTargets(t, 'switchover')).toEqual(['eu-west']);
    expect(failoverTargets(t, 'drain')).toEqual(['eu-central']);
    expect(failoverTargets(t)).toEqual(['eu-central', 'eu-west']);
  });
});
