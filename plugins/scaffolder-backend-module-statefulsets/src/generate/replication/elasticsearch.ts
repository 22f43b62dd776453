/*
 * Elasticsearch replication: every cluster is its own Elasticsearch
 * cluster, and cross-cluster replication auto-follows the source clusters'
 * indices.
 */
import { podAddress, podNames, replicationSources } from '../naming';
import { NormalizedRequest, ResolvedPlacement } from '../validateRequest';
import {
  ContainerWiring,
  POD_NAME_ENV,
  ReplicationWiring,
  configMap,
  fromConfig,
  fromSecret,
  localPodAddress,
} from './wiring';

/** The discovery and CCR ConfigMap and container wiring of one Elasticsearch cluster. */
export function elasticsearchReplication(
  r: NormalizedRequest,
  c: ResolvedPlacement,
  labels: Record<string, string>,
): ReplicationWiring {
  const sources = replicationSources(r, c);
  const remote = sources
    .map(
      s =>
        `cluster.remote.${s.name}.seeds: [${podNames(r, s)
          .map(pod => `"${podAddress(r, s, pod)}:9300"`)
          .join(', ')}]`,
    )
    .join('\n');
  const autoFollow = Object.fromEntries(
    sources.map(s => [
      `${r.name}-from-${s.name}`,
      {
        remote_cluster: s.name,
        // Active-active must not follow the other side's followers back.
        leader_index_patterns: ['*'],
        leader_index_exclusion_patterns:
          r.strategy === 'active-active' ? ['*-from-*'] : [],
        follow_index_pattern:
          r.strategy === 'active-active'
            ? `{{leader_index}}-from-${s.name}`
            : '{{leader_index}}',
      },
    ]),
  );
  const data: Record<string, string> = {
    // Each cluster is its own Elasticsearch cluster; CCR links them.
    'cluster-name': `${r.name}-${c.name}`,
    'seed-hosts': podNames(r, c)
      .map(pod => localPodAddress(r, pod))
      .join(','),
    'initial-master-nodes': podNames(r, c).join(','),
  };
  if (sources.length > 0) {
    // Apply with PUT _cluster/settings and PUT _ccr/auto_follow/<name>.
    data['remote-clusters.yml'] = `${remote}\n`;
    data['auto-follow.json'] = `${JSON.stringify(autoFollow, null, 2)}\n`;
  }
  const wiring: ContainerWiring = {
    env: [
      POD_NAME_ENV,
      { name: 'node.name', value: '$(POD_NAME)' },
      fromConfig(r, 'cluster.name', 'cluster-name'),
      fromConfig(r, 'discovery.seed_hosts', 'seed-hosts'),
      fromConfig(r, 'cluster.initial_master_nodes', 'initial-master-nodes'),
      fromSecret(r, 'ELASTIC_PASSWORD', 'elastic-password'),
    ],
    volumes: [{ name: 'replication' }],
    volumeMounts: [
      {
        name: 'replication',
        mountPath: '/usr/share/elasticsearch/config/replication',
      },
    ],
  };
  return { object: configMap(r, labels, data), wiring };
}
