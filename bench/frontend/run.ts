/*
 * Benchmark: time from topology data arriving in the browser to the rendered
 * Multi-cluster tab, for a synthetic entity of 50 clusters × 20 pods, in
 * Chromium against the running portal (`npm start`, or the test portal on
 * :7007). The topology response is substituted at the network layer, so the
 * backend's speed is not part of the figure.
 *
 *   node --import tsx bench/frontend/run.ts [--url http://localhost:7007] [--runs 10]
 */
import { chromium } from 'playwright-core';

const args = process.argv.slice(2);
const arg = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const baseUrl = arg('url', 'http://localhost:7007');
const runs = Number(arg('runs', '10'));
const CLUSTERS = Number(arg('clusters', '50'));
const PODS = Number(arg('pods', '20'));

function syntheticTopology() {
  const clusters = Array.from({ length: CLUSTERS }, (_, c) => ({
    name: `cluster-${String(c).padStart(2, '0')}`,
    region: `region-${c % 5}`,
    zones: [`region-${c % 5}a`],
    reachable: true,
    stale: false,
    latencyMs: 50,
    role: c === 0 ? 'active' : 'passive',
    trafficWeight: c === 0 ? 100 : 0,
    workloads: [
      {
        kind: 'StatefulSet',
        apiVersion: 'apps/v1',
        name: 'bench-db',
        namespace: 'databases',
        role: c === 0 ? 'active' : 'passive',
        replicas: { desired: PODS, ready: PODS, updated: PODS },
        revision: 'bench-db-1',
        image: 'mysql:8.4',
        ordinalsStart: c * 100,
        updateStrategy: 'RollingUpdate',
        serviceName: 'bench-db',
        pods: Array.from({ length: PODS }, (__, p) => ({
          name: `bench-db-${c * 100 + p}`,
          ordinal: c * 100 + p,
          phase: 'Running',
          ready: true,
          restarts: 0,
          node: `node-${p}`,
          zone: `region-${c % 5}a`,
          role: c === 0 && p === 0 ? 'primary' : 'replica',
        })),
        volumes: Array.from({ length: PODS }, (__, p) => ({
          claimName: `data-bench-db-${c * 100 + p}`,
          size: '10Gi',
          storageClass: 'gp3',
          accessModes: ['ReadWriteOnce'],
          bound: true,
          sharedWith: [],
        })),
      },
    ],
  }));
  return {
    entityRef: 'component:default/orders-mysql',
    generatedAt: new Date().toISOString(),
    policy: {
      engine: 'mysql',
      strategy: 'active-passive',
      maxFailoverLagSeconds: 5,
      allowedRegions: [],
    },
    clusters,
    replication: clusters.slice(1).map(c => ({
      from: 'cluster-00',
      to: c.name,
      workload: 'bench-db',
      lagSeconds: 0.5,
      healthy: true,
      provider: 'generic',
    })),
    traffic: { source: 'none', weights: {}, warnings: [] },
    federation: [],
    drift: [],
    readiness: { verdict: 'ready', checks: [] },
  };
}

async function main() {
  const body = JSON.stringify(syntheticTopology());
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
    ],
  });
  const page = await browser.newPage({
    viewport: { width: 1600, height: 1000 },
  });
  await page.addInitScript(`
    (() => {
      const original = window.fetch;
      window.fetch = async (...a) => {
        const res = await original(...a);
        const url = String(a[0] && a[0].url ? a[0].url : a[0]);
        if (url.includes('/topology')) window.__arrivedAt = performance.now();
        return res;
      };
      new MutationObserver(() => {
        if (window.__renderedAt || !window.__arrivedAt) return;
        const panels = document.querySelectorAll('section[aria-labelledby^="mcss-cluster-"]');
        if (panels.length >= ${CLUSTERS}) window.__renderedAt = performance.now();
      }).observe(document, { childList: true, subtree: true });
    })();
  `);
  await page.route(
    '**/api/multicluster-statefulsets/entities/**/topology',
    route =>
      route.fulfill({
        status: 200,
        contentType: 'application/json',
        headers: { ETag: '"bench"' },
        body,
      }),
  );
  await page.goto(baseUrl);
  await page.getByRole('button', { name: 'Enter' }).click();
  await page
    .getByRole('heading', { name: /Catalog/ })
    .first()
    .waitFor();

  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    await page.goto(
      `${baseUrl}/catalog/default/component/orders-mysql/multi-cluster`,
    );
    await page.waitForFunction('window.__renderedAt', undefined, {
      timeout: 60_000,
    });
    times.push(
      (await page.evaluate(
        'window.__renderedAt - window.__arrivedAt',
      )) as number,
    );
  }
  await browser.close();
  times.sort((a, b) => a - b);
  const q = (p: number) =>
    times[Math.min(times.length - 1, Math.floor(p * times.length))];
  console.log(
    `Multi-cluster tab, ${CLUSTERS} clusters × ${PODS} pods, ${runs} runs, ${(
      body.length / 1024
    ).toFixed(0)} KiB of topology`,
  );
  console.log(
    `data arrival → rendered: p50 ${q(0.5).toFixed(0)} ms, p95 ${q(
      0.95,
    ).toFixed(0)} ms, min ${times[0].toFixed(0)} ms (target < 500 ms)`,
  );
}

main().catch(e => {
  console.error(e);
  process.exit(1);
});
