/*
 * Benchmark of the topology endpoint against the official Kubernetes
 * plugin's workloads query, on the same simulated clusters (N = 3, 10, 50 by
 * default) with 50 ms of injected latency per cluster request. Prints a
 * markdown table: p50/p95 of cold and warm views, upstream requests per view
 * and per minute of an open page (the official page polls every 10 s, ours
 * listens for signals), bytes sent to the browser, and process RSS.
 *
 * Run from the repository root: node --import tsx bench/topology/run.ts
 * (BENCH_SIZES=3,10 BENCH_WARM=20 BENCH_COLD=3 BENCH_IDLE_SECONDS=20 tune it;
 * BENCH_DEBUG=1 prints the requests the first cluster received).
 * Everything listens on 127.0.0.1.
 */
import http from 'node:http';
import { AddressInfo } from 'node:net';
import { createServiceFactory } from '@backstage/backend-plugin-api';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { signalsServiceRef } from '@backstage/plugin-signals-node';
import {
  appConfigFor,
  startSimulator,
} from '../../packages/cluster-simulator/src/index';
import { multiclusterStatefulsetsPlugin } from '../../plugins/statefulsets-backend/src/plugin';

const SIZES = (process.env.BENCH_SIZES ?? '3,10,50').split(',').map(Number);
const WARM = Number(process.env.BENCH_WARM ?? 20);
const COLD = Number(process.env.BENCH_COLD ?? 3);
const IDLE_SECONDS = Number(process.env.BENCH_IDLE_SECONDS ?? 20);
const LATENCY_MS = Number(process.env.BENCH_LATENCY_MS ?? 50);
const ENTITY_REF = 'component:default/orders-db';

const entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'orders-db',
    namespace: 'default',
    annotations: { 'backstage.io/kubernetes-id': 'orders-db' },
  },
  spec: {
    type: 'database',
    owner: 'group:default/database-platform',
    lifecycle: 'production',
  },
};

function world(n: number) {
  return {
    clusters: Array.from({ length: n }, (_, i) => ({
      name: `c${i}`,
      region: `region-${i % 5}`,
      objects: [
        {
          apiVersion: 'v1',
          kind: 'Namespace',
          metadata: { name: 'databases' },
        },
        {
          apiVersion: 'apps/v1',
          kind: 'StatefulSet',
          metadata: {
            name: 'orders-db',
            namespace: 'databases',
            labels: { 'backstage.io/kubernetes-id': 'orders-db' },
            annotations: {
              'multicluster-statefulsets/role': i === 0 ? 'active' : 'passive',
            },
          },
          spec: {
            replicas: 2,
            ordinals: { start: i * 10 },
            serviceName: 'orders-db',
            selector: { matchLabels: { app: 'orders-db' } },
            template: {
              metadata: {
                labels: {
                  app: 'orders-db',
                  'backstage.io/kubernetes-id': 'orders-db',
                },
              },
              spec: { containers: [{ name: 'mysql', image: 'mysql:8.4' }] },
            },
            volumeClaimTemplates: [
              {
                metadata: { name: 'data' },
                spec: {
                  accessModes: ['ReadWriteOnce'],
                  resources: { requests: { storage: '10Gi' } },
                },
              },
            ],
          },
        },
      ],
    })),
  };
}

/** A counting pass-through proxy in front of one simulated cluster. */
async function countingProxy(target: string) {
  const counter = { requests: 0, log: [] as string[] };
  const upstream = new URL(target);
  const server = http.createServer((req, res) => {
    counter.requests++;
    if (process.env.BENCH_DEBUG)
      counter.log.push(`${Date.now() % 100000} ${req.method} ${req.url}`);
    const up = http.request(
      {
        host: upstream.hostname,
        port: upstream.port,
        path: req.url,
        method: req.method,
        headers: req.headers,
      },
      upRes => {
        res.writeHead(upRes.statusCode ?? 502, upRes.headers);
        upRes.pipe(res);
      },
    );
    up.on('error', () => res.destroy());
    res.on('close', () => up.destroy());
    req.pipe(up);
  });
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    counter,
    close: () =>
      new Promise<void>(r => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

const SELECTOR = `?labelSelector=${encodeURIComponent(
  'backstage.io/kubernetes-id=orders-db',
)}`;
/** The LISTs of our first view of an entity without a namespace annotation. */
const FIRST_ROUND = [
  `/apis/apps/v1/statefulsets${SELECTOR}`,
  `/api/v1/pods${SELECTOR}`,
  '/api/v1/persistentvolumeclaims',
  `/api/v1/services${SELECTOR}`,
  '/api/v1/persistentvolumes',
  '/api/v1/nodes',
  `/apis/networking.istio.io/v1/virtualservices${SELECTOR}`,
  `/apis/networking.istio.io/v1/destinationrules${SELECTOR}`,
  `/apis/networking.istio.io/v1/serviceentries${SELECTOR}`,
  `/apis/types.kubefed.io/v1beta1/federatedstatefulsets${SELECTOR}`,
  `/apis/policy.karmada.io/v1alpha1/propagationpolicies${SELECTOR}`,
  `/apis/policy.karmada.io/v1alpha1/overridepolicies${SELECTOR}`,
  `/apis/multicluster.x-k8s.io/v1alpha1/serviceexports${SELECTOR}`,
  `/apis/postgresql.cnpg.io/v1/clusters${SELECTOR}`,
];

function percentile(values: number[], p: number): number {
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[
    Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)
  ];
}

async function startBackend(config: any) {
  const features: any[] = [
    multiclusterStatefulsetsPlugin,
    import('@backstage/plugin-kubernetes-backend'),
    mockServices.rootConfig.factory({ data: config }),
    catalogServiceMock.factory({ entities: [entity] }),
    createServiceFactory({
      service: signalsServiceRef,
      deps: {},
      factory: () => ({ publish: async () => {} }),
    }),
  ];
  return startTestBackend({ features });
}

interface Timed {
  ms: number;
  bytes: number;
  status: number;
}

/**
 * Waits until our backend's start-up discovery has reached every cluster, so
 * a cold view measures the first view of an entity, not discovery.
 */
async function discoveryDone(baseUrl: string, n: number): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const res = await fetch(
      `${baseUrl}/api/multicluster-statefulsets/clusters`,
    );
    if (res.ok) {
      const body: any = await res.json();
      const clusters: any[] = body.items ?? body.clusters ?? body;
      if (
        clusters.length === n &&
        clusters.every(c => (c.servedKinds ?? []).length > 0)
      )
        return;
    }
    await new Promise(r => setTimeout(r, 20));
  }
  throw new Error('discovery did not finish within 30 s');
}

async function view(
  baseUrl: string,
  which: 'ours' | 'official',
): Promise<Timed> {
  const started = performance.now();
  const res =
    which === 'ours'
      ? await fetch(
          `${baseUrl}/api/multicluster-statefulsets/entities/component/default/orders-db/topology`,
        )
      : await fetch(`${baseUrl}/api/kubernetes/resources/workloads/query`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ entityRef: ENTITY_REF, auth: {} }),
        });
  const body = await res.arrayBuffer();
  return {
    ms: performance.now() - started,
    bytes: body.byteLength,
    status: res.status,
  };
}

async function main() {
  const rows: string[] = [];
  for (const n of SIZES) {
    const sim = await startSimulator({
      world: world(n),
      portBase: 0,
      adminPort: 0,
      readinessDelayMs: 20,
      onError: () => {},
    });
    await new Promise(r => setTimeout(r, 1000)); // let the controllers create pods and claims
    for (const c of sim.clusters)
      await sim.admin.setFaults(c.name, { latencyMs: LATENCY_MS });
    const proxies = await Promise.all(
      sim.clusters.map(c => countingProxy(c.url)),
    );
    const endpoints = sim.clusters.map((c, i) => ({
      ...c,
      url: proxies[i].url,
    }));
    const config: any = appConfigFor(endpoints);
    config.backend = {
      baseUrl: 'http://127.0.0.1',
      listen: { host: '127.0.0.1' },
    };
    const upstream = () =>
      proxies.reduce((sum, p) => sum + p.counter.requests, 0);

    // The floor of this harness: one parallel round of the same LISTs our
    // first view makes, sent straight from here through the proxies.
    const raw: number[] = [];
    for (let i = 0; i < COLD; i++) {
      const started = performance.now();
      await Promise.all(
        endpoints.flatMap(c =>
          FIRST_ROUND.map(path =>
            fetch(`${c.url}${path}`, {
              headers: { authorization: `Bearer ${c.token}` },
            }).then(res => res.arrayBuffer()),
          ),
        ),
      );
      raw.push(performance.now() - started);
    }
    rows.push(
      `| ${n} | one raw round of LISTs | ${percentile(raw, 50).toFixed(
        0,
      )} / ${percentile(raw, 95).toFixed(0)} | | ${
        FIRST_ROUND.length * n
      } / | | | |`,
    );
    console.error(rows[rows.length - 1]);

    for (const which of ['ours', 'official'] as const) {
      const cold: number[] = [];
      let coldUpstream = 0;
      let warm: Timed[] = [];
      let warmUpstreamPerView = 0;
      let idlePerMinute = 0;
      let rss = 0;
      for (let i = 0; i < COLD; i++) {
        const backend = await startBackend(config);
        const address = backend.server.address() as AddressInfo;
        const base = `http://127.0.0.1:${address.port}`;
        if (which === 'ours') await discoveryDone(base, n);
        proxies[0].counter.log.splice(0);
        if (process.env.BENCH_DEBUG)
          console.error(`${Date.now() % 100000} view starts`);
        const before = upstream();
        const first = await view(base, which);
        if (first.status !== 200)
          throw new Error(`${which} answered ${first.status}`);
        cold.push(first.ms);
        if (process.env.BENCH_DEBUG) {
          console.error(`cold view ${first.ms.toFixed(0)} ms, c0 received:`);
          console.error(proxies[0].counter.log.splice(0).join('\n'));
        }
        coldUpstream = upstream() - before;
        if (i === COLD - 1) {
          // Let the watches that the first view started finish connecting.
          await new Promise(r => setTimeout(r, 1500));
          warm = [];
          const warmBefore = upstream();
          for (let j = 0; j < WARM; j++) warm.push(await view(base, which));
          warmUpstreamPerView = (upstream() - warmBefore) / WARM;
          if (process.env.BENCH_DEBUG)
            console.error(proxies[0].counter.log.join('\n'));
          // An open page: the official frontend polls every 10 s; ours waits for signals.
          const idleBefore = upstream();
          const idleStarted = Date.now();
          while (Date.now() - idleStarted < IDLE_SECONDS * 1000) {
            if (which === 'official') await view(base, which);
            await new Promise(r =>
              setTimeout(r, which === 'official' ? 10_000 : 1000),
            );
          }
          idlePerMinute =
            ((upstream() - idleBefore) * 60) /
            ((Date.now() - idleStarted) / 1000);
          rss = process.memoryUsage().rss;
        }
        await backend.stop();
      }
      rows.push(
        `| ${n} | ${which} | ${percentile(cold, 50).toFixed(0)} / ${percentile(
          cold,
          95,
        ).toFixed(0)} | ${percentile(
          warm.map(w => w.ms),
          50,
        ).toFixed(0)} / ${percentile(
          warm.map(w => w.ms),
          95,
        ).toFixed(0)} | ${coldUpstream} / ${warmUpstreamPerView.toFixed(
          1,
        )} | ${idlePerMinute.toFixed(0)} | ${warm[0]?.bytes ?? 0} | ${(
          rss /
          1024 /
          1024
        ).toFixed(0)} |`,
      );
      console.error(rows[rows.length - 1]);
    }
    await Promise.all(proxies.map(p => p.close()));
    await sim.stop();
  }
  console.log(
    [
      `Latency injected per cluster request: ${LATENCY_MS} ms; ${COLD} cold starts, ${WARM} warm views, ${IDLE_SECONDS} s of open page.`,
      '',
      '| clusters | endpoint | cold p50 / p95 ms | warm p50 / p95 ms | upstream requests cold / warm view | upstream requests per minute of open page | bytes to browser | RSS MiB |',
      '|---|---|---|---|---|---|---|---|',
      ...rows,
    ].join('\n'),
  );
  process.exit(0);
}

main().catch(err => {
  console.error(err);
  process.exit(1);
});
