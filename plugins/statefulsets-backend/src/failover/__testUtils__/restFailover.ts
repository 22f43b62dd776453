/*
 * The REST failover tests' common ground: the plugin in a test backend over
 * the simulated clusters (no RBAC, no topology cache, a short catch-up
 * bound), polling as those tests poll, and a switchover started over the
 * failover API as the dialog starts it.
 */
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  appConfigFor,
  RunningSimulator,
} from '@multicluster/cluster-simulator';
import request from 'supertest';
import { waitFor } from '../../__testUtils__/waitFor';
import { multiclusterStatefulsetsPlugin } from '../../plugin';

/** Polls every 200 ms for up to 60 s; the probe's last error is named on time-out. */
export const until = <T>(
  probe: () => Promise<T | undefined>,
  what = 'condition',
) => waitFor(probe, { timeoutMs: 60_000, intervalMs: 200, what });

/** The app-config of the plugin over the simulated clusters, before a test's own settings. */
export function failoverAppConfig(
  sim: RunningSimulator,
  catchUpTimeoutMs: number,
): any {
  const config = appConfigFor(
    sim.clusters.map(c => ({
      ...c,
      readOnlyToken: undefined,
      writeToken: undefined,
      rbac: false,
    })),
  ) as any;
  config.multiclusterStatefulsets.failover = { catchUpTimeoutMs };
  config.multiclusterStatefulsets.cacheTtlMs = 1;
  return config;
}

/** The plugin in a test backend with `config`, the catalog holding `entities`. */
export function startPluginBackend(config: any, entities: Entity[]) {
  return startTestBackend({
    features: [
      multiclusterStatefulsetsPlugin,
      mockServices.rootConfig.factory({ data: config }),
      catalogServiceMock.factory({ entities }),
    ],
  });
}

/**
 * A switchover of `entity` to `targetCluster` over REST: the plan once it
 * is allowed, the run started with the typed confirmation, and the run
 * once it ended.
 */
export async function switchOverByRest(
  server: any,
  entity: string,
  targetCluster: string,
): Promise<{ plan: any; run: any }> {
  const base = `/api/multicluster-statefulsets/entities/component/default/${entity}`;
  const plan = await until(async () => {
    const p = await request(server)
      .post(`${base}/failover/plan`)
      .send({ targetCluster, mode: 'switchover' });
    if (!p.body.allowed) throw new Error(JSON.stringify(p.body));
    return p.body;
  }, `an allowed plan to ${targetCluster}`);
  const started = await request(server).post(`${base}/failover/runs`).send({
    targetCluster,
    mode: 'switchover',
    confirm: entity,
  });
  expect(started.status).toBe(202);
  const run = await until(async () => {
    const r = await request(server).get(
      `${base}/failover/runs/${started.body.id}`,
    );
    return ['pending', 'running'].includes(r.body.status) ? undefined : r.body;
  }, 'the run to end');
  return { plan, run };
}
