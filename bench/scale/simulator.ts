/*
 * The simulated clusters of the scale benchmark, in a process of their own so
 * that the benchmark's file descriptor, memory and event-loop figures are the
 * backend's alone. Started by run.ts over IPC: it answers `traffic` with each
 * cluster's open watches and requests handled, and stops on `stop`.
 */
import { startSimulator } from '../../packages/cluster-simulator/src/index';

const CLUSTERS = Number(process.env.BENCH_CLUSTERS ?? 20);
const ENTITIES = Number(process.env.BENCH_ENTITIES ?? 200);
const LATENCY_MS = Number(process.env.BENCH_LATENCY_MS ?? 50);

/** The name of database i, as the catalog and the clusters spell it. */
function dbName(i: number): string {
  return `db-${String(i).padStart(3, '0')}`;
}

function statefulSet(name: string, cluster: number) {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: {
      name,
      namespace: 'databases',
      labels: { 'backstage.io/kubernetes-id': name },
      annotations: {
        'multicluster-statefulsets/role': cluster === 0 ? 'active' : 'passive',
      },
    },
    spec: {
      replicas: 1,
      serviceName: name,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: {
          labels: { app: name, 'backstage.io/kubernetes-id': name },
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
  };
}

async function main() {
  const world = {
    clusters: Array.from({ length: CLUSTERS }, (_, c) => ({
      name: `c${c}`,
      region: `region-${c % 5}`,
      objects: [
        {
          apiVersion: 'v1',
          kind: 'Namespace',
          metadata: { name: 'databases' },
        },
        ...Array.from({ length: ENTITIES }, (__, i) =>
          statefulSet(dbName(i), c),
        ),
      ],
    })),
  };
  const sim = await startSimulator({
    world,
    portBase: 0,
    adminPort: 0,
    readinessDelayMs: 20,
    onError: () => {},
  });
  // Let the controllers create every pod, claim and volume.
  const expected = ENTITIES;
  for (let i = 0; i < 600; i++) {
    const pods = [...sim.stores.values()].map(
      s =>
        s.list('v1', 'Pod').filter(p => p.status?.phase === 'Running').length,
    );
    if (pods.every(n => n >= expected)) break;
    await new Promise(r => setTimeout(r, 100));
  }
  for (const c of sim.clusters)
    await sim.admin.setFaults(c.name, { latencyMs: LATENCY_MS });
  process.on('message', async (message: any) => {
    if (message?.type === 'traffic') {
      process.send!({
        type: 'traffic',
        clusters: sim.clusters.map(c => sim.admin.traffic(c.name)),
      });
    } else if (message?.type === 'stop') {
      await sim.stop();
      process.exit(0);
    }
  });
  process.send!({ type: 'ready', clusters: sim.clusters });
}

main().catch(err => {
  console.error(err);
  process.exit(1);
});
