import {
  mockErrorHandler,
  mockServices,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { RunningSimulator } from '@multicluster/cluster-simulator';
import express from 'express';
import request from 'supertest';
import {
  clientsFor,
  DEMO_ENTITIES,
  liveTopology,
  startDemoWorld,
} from './__testUtils__/simulatorWorld';
import { createFailoverRouter } from './createFailoverRouter';
import { DatabaseFailoverStore } from './DatabaseFailoverStore';
import { FailoverEngine } from './FailoverEngine';
import { HttpClusterWriteClient } from './HttpClusterWriteClient';
import { waitFor } from '../__testUtils__/waitFor';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

const OWNER = 'component:default/orders-mysql';
const DECOY = 'component:default/decoy';
const STS = '/apis/apps/v1/namespaces/databases/statefulsets/orders-mysql';
const VS =
  '/apis/networking.istio.io/v1/namespaces/databases/virtualservices/orders-mysql';

/**
 * What a failover of orders-mysql would change in every cluster: roles,
 * replica counts and route weights (the lag annotations move on their own).
 */
async function failoverState(clients: HttpClusterWriteClient[]) {
  return Promise.all(
    clients.map(async c => {
      const sts = await c.get(STS);
      const vs = await c.get(VS);
      return {
        cluster: c.cluster,
        role: sts?.metadata.annotations?.['multicluster-statefulsets/role'],
        replicas: sts?.spec.replicas,
        route: vs?.spec,
      };
    }),
  );
}

describe('failover of objects stamped for another entity', () => {
  let sim: RunningSimulator;
  let clients: HttpClusterWriteClient[];
  let store: DatabaseFailoverStore;
  let engine: FailoverEngine;

  beforeEach(async () => {
    sim = await startDemoWorld();
    clients = clientsFor(sim);
    store = await DatabaseFailoverStore.create({
      database: await databases.init('SQLITE_3'),
    });
    engine = FailoverEngine.create({
      store,
      clients,
      logger: mockServices.logger.mock(),
      leaseMs: 2000,
      catchUpTimeoutMs: 5000,
      verifyTimeoutMs: 5000,
    });
    await waitFor(async () => {
      const t = await liveTopology(sim, clients, 'orders-mysql');
      const ok =
        t.replication[0]?.lagSeconds !== null &&
        t.clusters.every(c =>
          c.workloads.every(w => w.replicas.ready === w.replicas.desired),
        );
      return ok ? t : undefined;
    });
  });

  afterEach(async () => {
    await engine.stop();
    await sim.stop();
  });

  it('finds every object of the demo world stamped for its own entity', async () => {
    for (const name of Object.keys(DEMO_ENTITIES)) {
      const topology = await liveTopology(sim, clients, name);
      expect({ name, ownership: topology.ownership }).toEqual({
        name,
        ownership: { status: 'owned', conflicts: [], unstamped: [] },
      });
      expect(
        topology.clusters.flatMap(c => c.workloads).length,
      ).toBeGreaterThan(0);
    }
  });

  it('plans a failing ownership check for a decoy entity selecting orders-mysql', async () => {
    const topology = await liveTopology(sim, clients, 'orders-mysql', {
      as: DECOY,
    });
    expect(topology.ownership?.status).toBe('conflict');
    const plan = await engine.plan({
      topology,
      targetCluster: 'eu-west',
      mode: 'switchover',
    });
    expect(plan.allowed).toBe(false);
    const check = plan.checks.find(c => c.id === 'ownership')!;
    expect(check.status).toBe('fail');
    expect(check.evidence).toContain(`objects stamped for ${OWNER}:`);
    expect(check.evidence).toContain(
      'eu-west/databases/StatefulSet/orders-mysql',
    );
    expect(check.evidence).toContain(
      'eu-central/databases/VirtualService/orders-mysql',
    );

    // The owner itself plans the same switchover without objection.
    const own = await engine.plan({
      topology: await liveTopology(sim, clients, 'orders-mysql'),
      targetCluster: 'eu-west',
      mode: 'switchover',
    });
    expect(own.checks.find(c => c.id === 'ownership')?.status).toBe('pass');
  });

  it('answers a decoy’s run with 400 naming the owner, forced or not, and changes nothing', async () => {
    const before = await failoverState(clients);
    const topology = await liveTopology(sim, clients, 'orders-mysql', {
      as: DECOY,
    });
    const router = await createFailoverRouter({
      engine,
      store,
      topology: { getTopology: async () => ({ topology }) },
      httpAuth: mockServices.httpAuth(),
      // The decoy's owner may fail over the decoy: the permission passes.
      permissions: mockServices.permissions.mock({
        authorize: async (reqs: any[]) =>
          reqs.map(() => ({ result: AuthorizeResult.ALLOW })),
      }),
      auditor: mockServices.auditor.mock(),
    });
    const server = express().use(router).use(mockErrorHandler());
    const runs = '/entities/component/default/decoy/failover/runs';

    for (const body of [
      { targetCluster: 'eu-west', mode: 'switchover', confirm: 'decoy' },
      {
        targetCluster: 'eu-west',
        mode: 'failover',
        confirm: 'decoy',
        force: true,
      },
    ]) {
      const res = await request(server).post(runs).send(body);
      expect(res.status).toBe(400);
      expect(res.body.error.message).toMatch(
        /^Preconditions failed: .*ownership \(objects stamped for component:default\/orders-mysql: /,
      );
    }
    expect(await store.activeRunId(DECOY)).toBeUndefined();
    expect(await store.listRuns(DECOY)).toEqual([]);
    expect(await failoverState(clients)).toEqual(before);
  });

  it('refuses at the write when a workload was restamped after the plan, and rolls back', async () => {
    const stale = await liveTopology(sim, clients, 'orders-mysql');
    const central = clients.find(c => c.cluster === 'eu-central')!;
    await central.mergePatch(STS, {
      metadata: {
        annotations: {
          'multicluster-statefulsets/owner-entity': 'component:default/other',
        },
      },
    });
    const run = await engine.start({
      topology: stale,
      targetCluster: 'eu-west',
      mode: 'switchover',
      actor: 'user:default/ops',
    });
    await engine.waitForRun(run.id);
    const done = await store.getRunDetails(run.id);
    expect(done.status).toBe('rolled-back');
    const fence = done.steps.find(s => s.kind === 'fence')!;
    expect(fence.status).toBe('failed');
    expect(fence.error).toContain(
      'StatefulSet databases/orders-mysql in eu-central is stamped for component:default/other, not component:default/orders-mysql',
    );
    const sts = await central.get(STS);
    expect(sts.spec.replicas).toBe(3);
    expect(sts.metadata.annotations['multicluster-statefulsets/role']).toBe(
      'active',
    );
    const route = await central.get(VS);
    expect(
      route.spec.tcp[0].route.map((r: any) => [r.destination.subset, r.weight]),
    ).toEqual([
      ['eu-central', 100],
      ['eu-west', 0],
    ]);
  });

  it('leaves every copy of a route alone when one copy is stamped for another entity', async () => {
    const stale = await liveTopology(sim, clients, 'orders-mysql');
    const west = clients.find(c => c.cluster === 'eu-west')!;
    await west.mergePatch(VS, {
      metadata: {
        annotations: {
          'multicluster-statefulsets/owner-entity': 'component:default/other',
        },
      },
    });
    const before = await failoverState(clients);
    const run = await engine.start({
      topology: stale,
      targetCluster: 'eu-west',
      mode: 'switchover',
      actor: 'user:default/ops',
    });
    await engine.waitForRun(run.id);
    const done = await store.getRunDetails(run.id);
    expect(done.status).toBe('rolled-back');
    expect(done.steps[0]).toEqual(
      expect.objectContaining({
        kind: 'fence-traffic',
        status: 'failed',
        error: expect.stringContaining(
          'VirtualService databases/orders-mysql in eu-west is stamped for component:default/other',
        ),
      }),
    );
    expect(await failoverState(clients)).toEqual(before);
  });
});
