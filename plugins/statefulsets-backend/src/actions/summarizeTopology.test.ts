import { EntityTopology } from '@multicluster/backstage-plugin-statefulsets-common';
import { summarizeTopology } from './summarizeTopology';
import { demoTopology } from './__testUtils__/demoTopology';

describe('summarizeTopology', () => {
  it('keeps roles, ready replicas, lag with its source and the checks that did not pass', () => {
    const summary = summarizeTopology(demoTopology());
    expect(summary.clusters).toEqual([
      {
        name: 'eu-central',
        region: 'eu-central-1',
        reachable: true,
        stale: false,
        role: 'active',
        trafficWeight: 100,
        workloads: [
          {
            kind: 'StatefulSet',
            namespace: 'databases',
            name: 'orders',
            role: 'active',
            replicas: { desired: 2, ready: 2 },
            primaryPods: ['orders-0'],
          },
        ],
      },
      {
        name: 'eu-west',
        reachable: false,
        stale: true,
        error: 'timeout: no answer within 3000 ms',
        role: 'passive',
        workloads: [
          expect.objectContaining({
            role: 'passive',
            replicas: { desired: 2, ready: 1 },
            primaryPods: [],
          }),
        ],
      },
    ]);
    expect(summary.replication).toEqual([
      {
        from: 'eu-central',
        to: 'eu-west',
        workload: 'orders',
        lagSeconds: 7.5,
        lagSource: 'prometheus',
        healthy: false,
        reason: 'lag 7.5 s over the bound of 5 s',
      },
      {
        from: 'eu-central',
        to: 'us-east',
        workload: 'orders',
        lagSeconds: null,
        lagSource: 'generic',
        healthy: false,
      },
    ]);
    const [passed, lag, traffic] = demoTopology().readiness.checks;
    expect(passed.status).toBe('pass');
    expect(summary.readiness).toEqual({
      verdict: 'degraded',
      failingChecks: [lag, traffic],
      passedChecks: 1,
    });
    expect(summary.driftedFields).toBe(1);
  });

  it('leaves pods, volumes and drift values out', () => {
    const text = JSON.stringify(summarizeTopology(demoTopology()));
    for (const detail of ['claimName', 'restarts', 'values', 'node-a']) {
      expect(text).not.toContain(detail);
    }
  });

  it('summarizes a topology with no clusters', () => {
    const empty: EntityTopology = {
      ...demoTopology(),
      clusters: [],
      replication: [],
      drift: [],
      readiness: { verdict: 'not-ready', checks: [] },
    };
    expect(summarizeTopology(empty)).toMatchObject({
      clusters: [],
      replication: [],
      readiness: { verdict: 'not-ready', failingChecks: [], passedChecks: 0 },
    });
  });
});
