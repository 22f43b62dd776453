/*
 * Throughput and footprint of the cluster simulator, printed as a table:
 * requests per second for get and list (keep-alive client loops against
 * 127.0.0.1), watch fan-out (N watchers receiving M events), and the memory
 * and start time of a large world. Run: node --import tsx bench/simulator/run.ts
 * (BENCH_SECONDS, BENCH_CLUSTERS, BENCH_STS, BENCH_PODS tune it).
 */
import http from 'node:http';
import { startSimulator } from '../../packages/cluster-simulator/src/index';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const CLUSTERS = Number(process.env.BENCH_CLUSTERS ?? 50);
const STS = Number(process.env.BENCH_STS ?? 200);
const PODS = Number(process.env.BENCH_PODS ?? 5);

function sts(name: string, replicas: number) {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: {
      name,
      namespace: 'databases',
      labels: { 'backstage.io/kubernetes-id': name },
    },
    spec: {
      replicas,
      podManagementPolicy: 'Parallel',
      serviceName: name,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name, 'backstage.io/kubernetes-id': name } },
        spec: { containers: [{ name: 'db', image: 'mysql:8.4' }] },
      },
      volumeClaimTemplates: [
        {
          metadata: { name: 'data' },
          spec: {
            accessModes: ['ReadWriteOnce'],
            resources: { requests: { storage: '1Gi' } },
          },
        },
      ],
    },
  };
}

function world(clusters: number, perCluster: number, replicas: number) {
  return {
    clusters: Array.from({ length: clusters }, (_, i) => ({
      name: `c${i}`,
      region: `region-${i % 5}`,
      objects: [
        {
          apiVersion: 'v1',
          kind: 'Namespace',
          metadata: { name: 'databases' },
        },
        ...Array.from({ length: perCluster }, (__, j) =>
          sts(`db-${j}`, replicas),
        ),
      ],
    })),
  };
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });

function get(url: string, token: string): Promise<number> {
  return new Promise((resolve, reject) => {
    http
      .get(
        url,
        { agent, headers: { Authorization: `Bearer ${token}` } },
        res => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        },
      )
      .on('error', reject);
  });
}

async function rps(
  url: string,
  token: string,
  concurrency = 8,
): Promise<number> {
  const end = Date.now() + SECONDS * 1000;
  let n = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < end) {
        if ((await get(url, token)) !== 200)
          throw new Error(`unexpected status from ${url}`);
        n++;
      }
    }),
  );
  return n / SECONDS;
}

async function converged(
  sim: Awaited<ReturnType<typeof startSimulator>>,
  pods: number,
): Promise<void> {
  for (;;) {
    let running = 0;
    for (const s of sim.stores.values()) {
      for (const p of s.peekAll('', 'Pod'))
        if (p.status?.phase === 'Running') running++;
    }
    if (running >= pods) return;
    await new Promise(r => setTimeout(r, 200));
  }
}

async function main() {
  const rows: Array<[string, string]> = [];
  const mb = () => `${Math.round(process.memoryUsage().rss / 1024 / 1024)} MB`;

  // Request throughput on a small world (3 clusters x 20 StatefulSets x 3 pods).
  const small = await startSimulator({
    world: world(3, 20, 3),
    portBase: 0,
    adminPort: 0,
    readinessDelayMs: 0,
    onError: () => {},
  });
  await converged(small, 3 * 20 * 3);
  const c = small.clusters[0];
  rows.push([
    'get StatefulSet (req/s)',
    (
      await rps(
        `${c.url}/apis/apps/v1/namespaces/databases/statefulsets/db-1`,
        c.token,
      )
    ).toFixed(0),
  ]);
  rows.push([
    'list 60 pods (req/s)',
    (await rps(`${c.url}/api/v1/namespaces/databases/pods`, c.token)).toFixed(
      0,
    ),
  ]);
  rows.push([
    'list pods by label (req/s)',
    (
      await rps(`${c.url}/api/v1/pods?labelSelector=app%3Ddb-3`, c.token)
    ).toFixed(0),
  ]);

  // Watch fan-out: N watchers each receive M events.
  const N = 100;
  const M = 200;
  let received = 0;
  const watchers: http.ClientRequest[] = [];
  const rv = small.stores.get(c.name)!.resourceVersion;
  await Promise.all(
    Array.from(
      { length: N },
      () =>
        new Promise<void>(resolve => {
          const req = http.get(
            `${c.url}/api/v1/namespaces/databases/configmaps?watch=true&resourceVersion=${rv}`,
            { headers: { Authorization: `Bearer ${c.token}` } },
            res => {
              resolve();
              let buf = '';
              res.on('data', d => {
                buf += d;
                const lines = buf.split('\n');
                buf = lines.pop()!;
                received += lines.length;
              });
            },
          );
          watchers.push(req);
        }),
    ),
  );
  const t0 = Date.now();
  const store = small.stores.get(c.name)!;
  for (let i = 0; i < M; i++)
    store.create({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: `cm-${i}`, namespace: 'databases' },
      data: { i: String(i) },
    });
  while (received < N * M) await new Promise(r => setTimeout(r, 10));
  const fanMs = Date.now() - t0;
  rows.push([
    `watch fan-out ${N} watchers x ${M} events`,
    `${fanMs} ms (${Math.round((N * M) / (fanMs / 1000))} events/s)`,
  ]);
  for (const w of watchers) w.destroy();
  await small.stop();

  // Footprint of a large world.
  const rssBefore = process.memoryUsage().rss;
  const t1 = Date.now();
  const big = await startSimulator({
    world: world(CLUSTERS, STS, PODS),
    portBase: 0,
    adminPort: 0,
    readinessDelayMs: 0,
    onError: () => {},
  });
  const listening = Date.now() - t1;
  await converged(big, CLUSTERS * STS * PODS);
  const all = Date.now() - t1;
  let objects = 0;
  for (const s of big.stores.values()) objects += s.count();
  rows.push([
    `${CLUSTERS} clusters x ${STS} StatefulSets x ${PODS} pods: listening after`,
    `${listening} ms`,
  ]);
  rows.push(['  all pods Running after', `${all} ms`]);
  rows.push(['  objects stored', String(objects)]);
  rows.push([
    '  RSS (process)',
    `${mb()} (+${Math.round(
      (process.memoryUsage().rss - rssBefore) / 1024 / 1024,
    )} MB)`,
  ]);
  const bc = big.clusters[Math.min(7, big.clusters.length - 1)];
  rows.push([
    '  list 1000 pods of one cluster (req/s)',
    (
      await rps(`${bc.url}/api/v1/namespaces/databases/pods`, bc.token, 4)
    ).toFixed(0),
  ]);
  await big.stop();

  const w = Math.max(...rows.map(r => r[0].length));
  process.stdout.write(
    `${'measure'.padEnd(w)}  result\n${'-'.repeat(w)}  ------\n`,
  );
  for (const [k, v] of rows) process.stdout.write(`${k.padEnd(w)}  ${v}\n`);
  agent.destroy();
}

main().catch(e => {
  process.stderr.write(`${(e as Error)?.stack ?? e}\n`);
  process.exit(1);
});
