/*
 * Elasticsearch replication: every cluster is its own Elasticsearch
 * cluster (its own name, discovery and quorum), and cross-cluster
 * replication auto-follows the source clusters' indices. Elasticsearch
 * takes remote clusters and auto-follow patterns only through its API, so
 * each following cluster runs a Job that puts them there; the nodes
 * themselves get security with transport TLS from the platform's
 * certificates, which the remote-cluster connections use too.
 */
import { ENGINE_PROFILES } from '../engines';
import { podAddress, podNames, replicationSources } from '../naming';
import { NormalizedRequest, ResolvedPlacement } from '../validateRequest';
import { ElasticsearchSettings } from '../validate/checkElasticsearch';
import {
  REMOTE_CLUSTERS_KEY,
  autoFollowKey,
  ccrSetupJob,
} from './elasticsearchCcrJob';
import {
  ContainerWiring,
  POD_NAME_ENV,
  ReplicationWiring,
  configMap,
  fromConfig,
  fromSecret,
  localPodAddress,
} from './wiring';

/** Where the transport certificates are mounted; Elasticsearch reads only files under its config directory. */
export const TRANSPORT_TLS_DIR =
  '/usr/share/elasticsearch/config/transport-tls';

function transportPort(): number {
  return ENGINE_PROFILES.elasticsearch.extraPorts.find(
    p => p.name === 'tcp-transport',
  )!.port;
}

/**
 * How a following cluster reaches one source, at the addresses the other
 * clusters reach the source's pods by, on the transport port.
 */
function remoteCluster(
  r: NormalizedRequest,
  s: ResolvedPlacement,
): Record<string, unknown> {
  const prefix = `cluster.remote.${s.name}`;
  const addresses = podNames(r, s).map(
    pod => `${podAddress(r, s, pod)}:${transportPort()}`,
  );
  if (r.routing === 'istio') {
    // Istio routes Services across its networks, never pod IPs, which sniff
    // mode dials once the seeds answered; proxy mode keeps every
    // connection on the one address (the source's first pod, so CCR pauses
    // while that pod restarts).
    return {
      [`${prefix}.mode`]: 'proxy',
      [`${prefix}.proxy_address`]: addresses[0],
    };
  }
  // MCS exports the headless Service, whose pod IPs the ClusterSet routes.
  return { [`${prefix}.mode`]: 'sniff', [`${prefix}.seeds`]: addresses };
}

function remoteClusterSettings(
  r: NormalizedRequest,
  sources: ResolvedPlacement[],
) {
  return {
    persistent: Object.assign({}, ...sources.map(s => remoteCluster(r, s))),
  };
}

/** The auto-follow pattern that follows one source's indices. */
function autoFollowPattern(r: NormalizedRequest, s: ResolvedPlacement) {
  const activeActive = r.strategy === 'active-active';
  return {
    remote_cluster: s.name,
    leader_index_patterns: ['*'],
    // Active-active must not follow the other side's followers back.
    leader_index_exclusion_patterns: activeActive ? ['*-from-*'] : [],
    follow_index_pattern: activeActive
      ? `{{leader_index}}-from-${s.name}`
      : '{{leader_index}}',
  };
}

function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** The API bodies a following cluster's setup Job sends, by ConfigMap key. */
function ccrBodies(
  r: NormalizedRequest,
  sources: ResolvedPlacement[],
): Record<string, string> {
  const bodies: Record<string, string> = {
    [REMOTE_CLUSTERS_KEY]: json(remoteClusterSettings(r, sources)),
  };
  for (const s of sources) {
    bodies[autoFollowKey(`${r.name}-from-${s.name}`)] = json(
      autoFollowPattern(r, s),
    );
  }
  return bodies;
}

/** Security with transport TLS from the platform's certificates, and the licence and mmap choices. */
function nodeSettings(es: ElasticsearchSettings) {
  const settings: Record<string, string> = {
    'xpack.security.enabled': 'true',
    // Clients and the setup Job talk HTTP inside the cluster (or its mesh).
    'xpack.security.http.ssl.enabled': 'false',
    'xpack.security.transport.ssl.enabled': 'true',
    // The certificates come from one CA shared by every cluster; the names
    // other clusters dial differ per routing, so only the chain is checked.
    'xpack.security.transport.ssl.verification_mode': 'certificate',
    'xpack.security.transport.ssl.key': `${TRANSPORT_TLS_DIR}/tls.key`,
    'xpack.security.transport.ssl.certificate': `${TRANSPORT_TLS_DIR}/tls.crt`,
    'xpack.security.transport.ssl.certificate_authorities': `${TRANSPORT_TLS_DIR}/ca.crt`,
  };
  if (es.licence === 'trial') {
    settings['xpack.license.self_generated.type'] = 'trial';
  }
  if (!es.nodesAllowMmap) {
    // Without vm.max_map_count >= 262144 on the nodes the mmap bootstrap
    // check fails; the generator may not set node sysctls.
    settings['node.store.allow_mmap'] = 'false';
  }
  return Object.entries(settings).map(([name, value]) => ({ name, value }));
}

function nodeWiring(
  r: NormalizedRequest,
  es: ElasticsearchSettings,
): ContainerWiring {
  return {
    env: [
      POD_NAME_ENV,
      { name: 'node.name', value: '$(POD_NAME)' },
      fromConfig(r, 'cluster.name', 'cluster-name'),
      fromConfig(r, 'discovery.seed_hosts', 'seed-hosts'),
      fromConfig(r, 'cluster.initial_master_nodes', 'initial-master-nodes'),
      fromSecret(r, 'ELASTIC_PASSWORD', 'elastic-password'),
      ...nodeSettings(es),
    ],
    volumes: [{ name: 'transport-tls', secret: es.transportTlsSecret }],
    volumeMounts: [
      { name: 'transport-tls', mountPath: TRANSPORT_TLS_DIR, readOnly: true },
    ],
    // The image runs as uid 1000; the volume must be writable for it.
    podSecurityContext: { fsGroup: 1000 },
  };
}

/** The discovery and CCR ConfigMap, container wiring and CCR setup Job of one Elasticsearch cluster. */
export function elasticsearchReplication(
  r: NormalizedRequest,
  c: ResolvedPlacement,
  labels: Record<string, string>,
): ReplicationWiring {
  const es = r.elasticsearch!;
  const sources = replicationSources(r, c);
  const pods = podNames(r, c);
  const bodies = sources.length > 0 ? ccrBodies(r, sources) : {};
  const data: Record<string, string> = {
    // Each cluster is its own Elasticsearch cluster, every node of it
    // master-eligible (1 or at least 3, so a quorum survives a loss); CCR
    // links the clusters.
    'cluster-name': `${r.name}-${c.name}`,
    'seed-hosts': pods.map(pod => localPodAddress(r, pod)).join(','),
    'initial-master-nodes': pods.join(','),
    ...bodies,
  };
  const job = ccrSetupJob(r, labels, bodies);
  return {
    object: configMap(r, labels, data),
    wiring: nodeWiring(r, es),
    companions:
      sources.length > 0 ? [{ file: 'ccr-setup-job.yaml', object: job }] : [],
  };
}
