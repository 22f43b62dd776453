/*
 * The nodes of a simulated cluster: generated per zone with stable names,
 * addresses and ids, so that saved state and a reseed agree, and with every
 * field strict clients require.
 */
import { createHash } from 'node:crypto';
import type { KubeObject } from './controllers/types';
import type { ClusterStore } from './store/ClusterStore';
import type { WorldCluster } from './world';

/** A stable UUID-shaped id per node, so saved state and reseeds agree. */
function nodeId(node: string, purpose: string): string {
  const h = createHash('sha256').update(`${purpose}:${node}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(
    16,
    20,
  )}-${h.slice(20, 32)}`;
}

/** The nodes a world's cluster runs: nodesPerZone in each of its zones. */
export function nodesFor(c: WorldCluster): KubeObject[] {
  const out: KubeObject[] = [];
  c.zones.forEach((zone, zi) => {
    for (let i = 1; i <= c.nodesPerZone; i++) {
      const name = `${c.name}-${zone}-node-${i}`;
      const ip = `10.${10 + zi}.${i}.${(c.name.length % 200) + 10}`;
      out.push({
        apiVersion: 'v1',
        kind: 'Node',
        metadata: {
          name,
          labels: {
            'kubernetes.io/hostname': name,
            'kubernetes.io/os': 'linux',
            'kubernetes.io/arch': 'amd64',
            'node.kubernetes.io/instance-type': 'sim.large',
            'topology.kubernetes.io/region': c.region,
            'topology.kubernetes.io/zone': zone,
          },
        },
        spec: { podCIDR: `10.244.${zi * 16 + i}.0/24` },
        status: {
          capacity: {
            cpu: '8',
            memory: '32Gi',
            pods: '110',
            'ephemeral-storage': '100Gi',
          },
          allocatable: {
            cpu: '7800m',
            memory: '30Gi',
            pods: '110',
            'ephemeral-storage': '95Gi',
          },
          conditions: [
            {
              type: 'MemoryPressure',
              status: 'False',
              reason: 'KubeletHasSufficientMemory',
              message: 'kubelet has sufficient memory available',
            },
            {
              type: 'DiskPressure',
              status: 'False',
              reason: 'KubeletHasNoDiskPressure',
              message: 'kubelet has no disk pressure',
            },
            {
              type: 'PIDPressure',
              status: 'False',
              reason: 'KubeletHasSufficientPID',
              message: 'kubelet has sufficient PID available',
            },
            {
              type: 'Ready',
              status: 'True',
              reason: 'KubeletReady',
              message: 'kubelet is posting ready status',
            },
          ],
          addresses: [
            { type: 'InternalIP', address: ip },
            { type: 'Hostname', address: name },
          ],
          // Every field the API marks required: strict clients (the Python
          // client) refuse to read a Node without them.
          nodeInfo: {
            machineID: nodeId(name, 'machine').replace(/-/g, ''),
            systemUUID: nodeId(name, 'system'),
            bootID: nodeId(name, 'boot'),
            kubeletVersion: 'v1.35.0',
            kubeProxyVersion: 'v1.35.0',
            osImage: 'Simulated Linux',
            kernelVersion: '6.12.0-sim',
            containerRuntimeVersion: 'containerd://2.1.0',
            operatingSystem: 'linux',
            architecture: 'amd64',
          },
        },
      });
    }
  });
  return out;
}

/** Gives nodes saved before nodeInfo carried every required field the rest. */
export function refreshNodeInfo(
  store: ClusterStore,
  nodes: KubeObject[],
): void {
  for (const n of nodes) {
    const current = store.peek('', 'Node', undefined, n.metadata.name);
    if (!current || current.status?.nodeInfo?.machineID) continue;
    const next = structuredClone(current);
    next.status = {
      ...next.status,
      nodeInfo: { ...n.status.nodeInfo, ...next.status?.nodeInfo },
    };
    store.replace(next, 'status');
  }
}
