/*
 * MongoDB replication: one replica set spanning every cluster, with votes
 * and priorities that favour the active side.
 */
import { podAddress, podNames, primaryCluster } from '../naming';
import { NormalizedRequest } from '../validateRequest';
import { ContainerWiring, ReplicationWiring, configMap } from './wiring';

/** The replica-set ConfigMap and container wiring shared by every MongoDB cluster. */
export function mongodbReplication(
  r: NormalizedRequest,
  labels: Record<string, string>,
): ReplicationWiring {
  let voters = 0;
  const members = r.clusters.flatMap(c =>
    podNames(r, c).map((pod, i) => {
      // A replica set allows at most seven voting members.
      const votes = voters < 7 ? 1 : 0;
      voters += votes;
      // Non-voters cannot be elected; among voters the active side is preferred.
      let priority = c.role === 'active' ? 2 : 1;
      if (votes === 0) priority = 0;
      return {
        _id: c.ordinalsStart + i,
        host: `${podAddress(r, c, pod)}:${r.port}`,
        priority,
        votes,
        tags: { cluster: c.name, region: c.region ?? 'unknown' },
      };
    }),
  );
  const config = { _id: r.name, members };
  const data = {
    'replicaset.json': `${JSON.stringify(config, null, 2)}\n`,
    'initiate.js': `// Run once, against ${
      podNames(r, primaryCluster(r))[0]
    }, to form the replica set across all clusters.\nrs.initiate(JSON.parse(require('fs').readFileSync('/etc/mongo/replicaset.json', 'utf8')));\n`,
  };
  const wiring: ContainerWiring = {
    args: ['--replSet', r.name, '--bind_ip_all'],
    env: [],
    volumes: [{ name: 'replication' }],
    volumeMounts: [{ name: 'replication', mountPath: '/etc/mongo' }],
  };
  return { object: configMap(r, labels, data), wiring };
}
