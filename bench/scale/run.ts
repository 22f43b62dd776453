/*
 * Scale benchmark: many database entities in one namespace across many
 * clusters, viewed one after another as a platform team browsing the catalog
 * would. After each step of views it prints the backend's open watches per
 * cluster, the requests reaching the clusters per cold view and per minute
 * of idle time, the backend's file descriptors, RSS and heap, the longest
 * event-loop stall, and cold/warm view latency; then the official Kubernetes
 * plugin's view latency and requests on the same clusters.
 *
 * Run from the repository root:
 *   node --expose-gc --import tsx bench/scale/run.ts
 * Tuning: BENCH_CLUSTERS=20 BENCH_ENTITIES=200 BENCH_STEPS=1,10,25,50
 * BENCH_IDLE_SECONDS=30 BENCH_LATENCY_MS=50 BENCH_WARM=20 BENCH_OFFICIAL=10.
 * The clusters run in a child process (bench/scale/simulator.ts), so every
 * figure except latency is the backend's own.
 */
import { fork, ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { AddressInfo } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createServiceFactory } from '@backstage/backend-plugin-api';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { signalsServiceRef } from '@backstage/plugin-signals-node';
import { appConfigFor } from '../../packages/cluster-simulator/src/output';
import { multiclusterStatefulsetsPlugin } from '../../plugins/statefulsets-backend/src/plugin';

const CLUSTERS = Number(process.env.BENCH_CLUSTERS ?? 20);
const ENTITIES = Number(process.env.BENCH_ENTITIES ?? 200);
const STEPS = (process.env.BENCH_STEPS ?? '1,10,25,50')
  .split(',')
  .map(Number)
  .filter(n => n > 0 && n <= ENTITIES);
const IDLE_SECONDS = Number(process.env.BENCH_IDLE_SECONDS ?? 30);
const WARM = Number(process.env.BENCH_WARM ?? 20);
const OFFICIAL = Number(process.env.BENCH_OFFICIAL ?? 10);

function dbName(i: number): string {
  return `db-${String(i).padStart(3, '0')}`;
}

const entities = Array.from({ length: ENTITIES }, (_, i) => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: dbName(i),
    namespace: 'default',
    annotations: {
      'backstage.io/kubernetes-id': dbName(i),
      'backstage.io/kubernetes-namespace': 'databases',
    },
  },
  spec: {
    type: 'database',
    owner: 'group:default/database-platform',
    lifecycle: 'production',
  },
}));

interface Traffic {
  watches: number;
  requests: number;
}

/** The simulator process and a way to ask it for its counters. */
async function startClusters(): Promise<{
  child: ChildProcess;
  clusters: any[];
  traffic(): Promise<Traffic[]>;
}> {
  const child = fork(path.join(__dirname, 'simulator.ts'), [], {
    execArgv: ['--import', 'tsx'],
    env: process.env,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const clusters = await new Promise<any[]>((resolve, reject) => {
    child.once('exit', code => reject(new Error(`simulator exited ${code}`)));
    child.on('message', (m: any) => {
      if (m?.type === 'ready') resolve(m.clusters);
    });
  });
  return {
    child,
    clusters,
    traffic: () =>
      new Promise(resolve => {
        const onMessage = (m: any) => {
          if (m?.type !== 'traffic') return;
          child.off('message', onMessage);
          resolve(m.clusters);
        };
        child.on('message', onMessage);
        child.send({ type: 'traffic' });
      }),
  };
}

function percentile(values: number[], p: number): number {
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[
    Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)
  ];
}

async function timedView(
  base: string,
  name: string,
  which: 'ours' | 'official',
): Promise<number> {
  const started = performance.now();
  const res =
    which === 'ours'
      ? await fetch(
          `${base}/api/multicluster-statefulsets/entities/component/default/${name}/topology`,
        )
      : await fetch(`${base}/api/kubernetes/resources/workloads/query`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            entityRef: `component:default/${name}`,
            auth: {},
          }),
        });
  const body: any = await res.json();
  const ms = performance.now() - started;
  if (res.status !== 200) {
    throw new Error(
      `${which} view of ${name}: ${res.status} ${JSON.stringify(body).slice(
        0,
        300,
      )}`,
    );
  }
  if (which === 'ours') {
    const failing = (body.topology?.clusters ?? []).filter((c: any) => c.error);
    if (failing.length) {
      console.error(
        `  ${name}: ${failing.length} clusters failed, e.g. ${JSON.stringify(
          failing[0].error,
        )}`,
      );
    }
  }
  return ms;
}

const fds = () => fs.readdirSync('/proc/self/fd').length;
const mib = (bytes: number) => (bytes / 1024 / 1024).toFixed(0);
const sum = (t: Traffic[], key: keyof Traffic) =>
  t.reduce((s, c) => s + c[key], 0);

async function main() {
  const sim = await startClusters();
  const config: any = appConfigFor(sim.clusters);
  config.backend = {
    baseUrl: 'http://127.0.0.1',
    listen: { host: '127.0.0.1' },
  };
  const backend = await startTestBackend({
    features: [
      multiclusterStatefulsetsPlugin,
      import('@backstage/plugin-kubernetes-backend'),
      mockServices.rootConfig.factory({ data: config }),
      catalogServiceMock.factory({ entities }),
      createServiceFactory({
        service: signalsServiceRef,
        deps: {},
        factory: () => ({ publish: async () => {} }),
      }),
    ],
  });
  const base = `http://127.0.0.1:${
    (backend.server.address() as AddressInfo).port
  }`;
  await new Promise(r => setTimeout(r, 3000)); // start-up discovery
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();

  const rows: string[] = [];
  let viewed = 0;
  for (const step of STEPS) {
    loop.reset();
    const cold: number[] = [];
    const before = sum(await sim.traffic(), 'requests');
    const firstNew = viewed;
    for (; viewed < step; viewed++) {
      cold.push(await timedView(base, dbName(viewed), 'ours'));
    }
    const coldRequests =
      (sum(await sim.traffic(), 'requests') - before) / (viewed - firstNew);
    await new Promise(r => setTimeout(r, 2000)); // watches connect
    const warm: number[] = [];
    for (let i = 0; i < WARM; i++) {
      warm.push(await timedView(base, dbName(i % viewed), 'ours'));
    }
    const idleBefore = sum(await sim.traffic(), 'requests');
    const idleStarted = Date.now();
    await new Promise(r => setTimeout(r, IDLE_SECONDS * 1000));
    const traffic = await sim.traffic();
    const perMinute =
      ((sum(traffic, 'requests') - idleBefore) * 60) /
      ((Date.now() - idleStarted) / 1000);
    (global as any).gc?.();
    const memory = process.memoryUsage();
    const watches = traffic.map(t => t.watches);
    rows.push(
      `| ${viewed} | ${percentile(watches, 50)} / ${Math.max(
        ...watches,
      )} | ${coldRequests.toFixed(1)} | ${perMinute.toFixed(
        0,
      )} | ${fds()} | ${mib(memory.rss)} | ${mib(memory.heapUsed)} | ${(
        loop.max / 1e6
      ).toFixed(0)} | ${percentile(cold, 50).toFixed(0)} / ${percentile(
        cold,
        95,
      ).toFixed(0)} | ${percentile(warm, 50).toFixed(1)} / ${percentile(
        warm,
        95,
      ).toFixed(1)} |`,
    );
    console.error(rows[rows.length - 1]);
  }

  const official: number[] = [];
  const officialBefore = sum(await sim.traffic(), 'requests');
  for (let i = 0; i < OFFICIAL; i++) {
    official.push(await timedView(base, dbName(i), 'official'));
  }
  const officialRequests =
    (sum(await sim.traffic(), 'requests') - officialBefore) / OFFICIAL;

  console.log(
    [
      `${CLUSTERS} clusters, ${ENTITIES} databases in one namespace, ${
        process.env.BENCH_LATENCY_MS ?? 50
      } ms per cluster request, ${IDLE_SECONDS} s idle window, ${WARM} warm views.`,
      '',
      '| entities viewed | open watches per cluster p50 / max | cluster requests per cold view | cluster requests per idle minute | backend fds | RSS MiB | heap MiB | longest event-loop stall ms | cold view p50 / p95 ms | warm view p50 / p95 ms |',
      '|---|---|---|---|---|---|---|---|---|---|',
      ...rows,
      '',
      `Official Kubernetes plugin, ${OFFICIAL} views of the same entities: p50 ${percentile(
        official,
        50,
      ).toFixed(0)} ms, p95 ${percentile(official, 95).toFixed(
        0,
      )} ms, ${officialRequests.toFixed(
        1,
      )} cluster requests per view (it keeps no watches).`,
    ].join('\n'),
  );
  await backend.stop();
  sim.child.send({ type: 'stop' });
  process.exit(0);
}

main().catch(err => {
  console.error(err);
  process.exit(1);
});
