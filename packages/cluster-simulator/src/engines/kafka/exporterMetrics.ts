/*
 * What MirrorMaker 2's metrics (MirrorSourceConnector's JMX beans through
 * the Prometheus JMX exporter, as Strimzi's example rules name them)
 * publish for each flow running in a cluster: per mirrored partition the
 * records replicated (`..._record_count`) and the age of the last record
 * (`..._record_age_ms`), labelled with the flow's `source` and `target`
 * aliases and the MirrorMaker 2 pod they are scraped from (its namespace,
 * pod and `kubernetes_id` from `backstage.io/kubernetes-id`). Read from
 * the flows actually enabled and running, so a reversed flow shows without
 * exec; a cluster some series names as `target` is the passive side. The
 * record age is the target's lag (./lag): 0 while the flow runs; a flow
 * whose MirrorMaker 2 runs but is cut off from a cluster keeps publishing
 * what it replicated, its record age growing.
 */
import type { ClusterStore } from '../../store/ClusterStore';
import type { PeerDirectory } from '../programs';
import { KafkaCluster } from './cluster';
import { flowsHeldIn } from './flows';
import { mirrorLagOf } from './lag';
import { isUserTopic } from './state';

/** The record-count series: one per mirrored partition of a running flow. */
export const MM2_RECORD_COUNT =
  'kafka_connect_mirror_mirrorsourceconnector_record_count';
/** The record-age series (milliseconds). */
export const MM2_RECORD_AGE =
  'kafka_connect_mirror_mirrorsourceconnector_record_age_ms';

function esc(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** The MirrorMaker 2 series of the flows running in one cluster. */
export function renderMirrorMakerMetrics(
  cluster: string,
  store: ClusterStore,
  peers: PeerDirectory | undefined,
  now: () => number,
): string {
  const count = [
    `# HELP ${MM2_RECORD_COUNT} Number of records replicated source -> target.`,
    `# TYPE ${MM2_RECORD_COUNT} gauge`,
  ];
  const age = [
    `# HELP ${MM2_RECORD_AGE} The age of incoming source records when replicated to the target cluster.`,
    `# TYPE ${MM2_RECORD_AGE} gauge`,
  ];
  for (const flow of flowsHeldIn(store, peers)) {
    if (!flow.pods.length) continue;
    const lag = mirrorLagOf(flow.target, now(), peers);
    // A flow that never reached its source has replicated nothing.
    if (!('lagSeconds' in lag)) continue;
    // Publishing never settles or writes the clusters' state.
    let ends: Record<string, number[]>;
    try {
      const from = flow.running && flow.source ? flow.source : flow.target;
      ends = new KafkaCluster(from, now, peers).peek()?.ends ?? {};
    } catch {
      continue;
    }
    const ageMs = Math.round(lag.lagSeconds * 1000);
    const pod = flow.pods[0];
    const id = pod.metadata.labels?.['backstage.io/kubernetes-id'] ?? '';
    const base = `namespace="${esc(flow.namespace)}",pod="${esc(
      pod.metadata.name,
    )}",kubernetes_id="${esc(id)}",source="${esc(
      flow.sourceAlias,
    )}",target="${esc(flow.targetAlias)}"`;
    for (const [topic, partitions] of Object.entries(ends).sort()) {
      if (!isUserTopic(topic)) continue;
      partitions.forEach((end, p) => {
        const labels = `${base},topic="${esc(
          topic,
        )}",partition="${p}",cluster="${esc(cluster)}"`;
        count.push(`${MM2_RECORD_COUNT}{${labels}} ${end}`);
        age.push(`${MM2_RECORD_AGE}{${labels}} ${ageMs}`);
      });
    }
  }
  return `${[...count, ...age].join('\n')}\n`;
}
