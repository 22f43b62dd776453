/*
 * Times the pure manifest generator for a database spread over ten
 * clusters, with Karmada federation and Istio routing — the largest shape
 * the template produces. Schema validation is timed by the package's tests
 * (its ES-module-only schema packages load natively, not through tsx).
 * Run: node --import tsx bench/generate/run.ts
 */
import { performance } from 'node:perf_hooks';
import { generateManifests } from '../../plugins/scaffolder-backend-module-statefulsets/src';
import type {
  ClusterInfo,
  GenerateRequest,
} from '../../plugins/scaffolder-backend-module-statefulsets/src';

const TARGET_MS = 100;
const RUNS = 50;

const members: ClusterInfo[] = Array.from({ length: 10 }, (_, i) => ({
  name: `cluster-${i}`,
  region: `region-${i % 5}`,
  zones: [`region-${i % 5}a`, `region-${i % 5}b`],
}));
/** The members and the Karmada API server, which is no member. */
const clusters: ClusterInfo[] = [
  ...members,
  { name: 'karmada', region: 'region-0', zones: [], federationHost: 'karmada' },
];

function request(engine: GenerateRequest['engine']): GenerateRequest {
  return {
    name: 'bench-db',
    namespace: 'bench',
    engine,
    strategy: 'active-passive',
    clusters: members.map((c, i) => ({
      name: c.name,
      role: i === 0 ? 'active' : 'passive',
      weight: i === 0 ? 100 : 0,
      replicas: 3,
    })),
    storage: { size: '20Gi', storageClass: 'fast-ssd' },
    federation: 'karmada',
    routing: 'istio',
    owner: 'group:default/dba',
    // CloudNativePG replica clusters trust each other through one CA.
    ...(engine === 'postgresql'
      ? { postgresql: { serverCASecret: 'bench-ca' } }
      : {}),
  };
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
}

function time(fn: () => void): number[] {
  fn(); // warm-up: first call pays for module and schema compilation
  return Array.from({ length: RUNS }, () => {
    const start = performance.now();
    fn();
    return performance.now() - start;
  });
}

let failed = false;
for (const engine of ['mysql', 'postgresql', 'mongodb', 'kafka'] as const) {
  const req = request(engine);
  let files = 0;
  const gen = time(() => {
    files = generateManifests(req, clusters).files.length;
  });
  const genMedian = percentile(gen, 0.5);
  const genP95 = percentile(gen, 0.95);
  // The median is the figure; single slow runs are the shared machine's GC
  // and neighbours, and are shown as p95.
  if (genMedian >= TARGET_MS) failed = true;
  console.log(
    `${engine.padEnd(
      10,
    )} 10 clusters, ${files} files: generate median ${genMedian.toFixed(
      2,
    )} ms, p95 ${genP95.toFixed(2)} ms (target median < ${TARGET_MS} ms)`,
  );
}
if (failed) {
  console.error(`median generate time reached ${TARGET_MS} ms`);
  process.exitCode = 1;
}
