/*
 * MirrorMaker 2 for one Kafka cluster that receives data: its properties
 * (dedicated mode, consuming from the remote clusters and producing
 * locally) and the Deployment that runs it beside the brokers.
 */
import { createHash } from 'node:crypto';
import { commonLabels } from '../labels';
import { podAddress, podNames } from '../naming';
import { KubeObject } from '../types';
import { NormalizedRequest, ResolvedPlacement } from '../validateRequest';
import { localPodAddress, replicationConfigMapName } from './wiring';

/** The ConfigMap key of the MirrorMaker 2 properties. */
export const MM2_PROPERTIES = 'mm2.properties';
const MM2_DIR = '/etc/kafka/mirror';

/** Copies a cluster keeps of each topic: three, or one per broker when it has fewer. */
export function kafkaReplicationFactor(c: ResolvedPlacement): number {
  return Math.min(3, c.replicas);
}

/** Name of the Deployment that runs MirrorMaker 2 in a cluster. */
export function mirrorMakerName(r: NormalizedRequest): string {
  return `${r.name}-mirrormaker`;
}

function servers(addresses: string[], port: number): string {
  return addresses.map(a => `${a}:${port}`).join(',');
}

/**
 * The properties of the MirrorMaker 2 that pulls `sources` into `c`. Every
 * topic it creates lives in `c` (replicated topics, checkpoints, heartbeats,
 * offset syncs and the Connect worker's own topics), so each takes `c`'s
 * replication factor; a factor above the broker count is never created.
 */
export function mirrorMakerProperties(
  r: NormalizedRequest,
  c: ResolvedPlacement,
  sources: ResolvedPlacement[],
): string {
  const factor = kafkaReplicationFactor(c);
  return `${[
    `# MirrorMaker 2 (dedicated mode) for ${c.name}: pulls from ${sources
      .map(s => s.name)
      .join(', ')}; run by the ${mirrorMakerName(r)} Deployment.`,
    `clusters = ${[c, ...sources].map(s => s.name).join(', ')}`,
    `${c.name}.bootstrap.servers = ${servers(
      podNames(r, c).map(pod => localPodAddress(r, pod)),
      r.port,
    )}`,
    ...sources.map(
      s =>
        `${s.name}.bootstrap.servers = ${servers(
          podNames(r, s).map(pod => podAddress(r, s, pod)),
          r.port,
        )}`,
    ),
    ...sources.flatMap(s => [
      `${s.name}->${c.name}.enabled = true`,
      `${s.name}->${c.name}.topics = .*`,
      `${s.name}->${c.name}.groups = .*`,
    ]),
    'sync.group.offsets.enabled = true',
    'emit.checkpoints.enabled = true',
    'emit.heartbeats.enabled = true',
    // Offset syncs stay with the other internal topics, so MirrorMaker
    // only ever reads from the remote clusters.
    'offset-syncs.topic.location = target',
    ...[
      'replication.factor',
      'checkpoints.topic.replication.factor',
      'heartbeats.topic.replication.factor',
      'offset-syncs.topic.replication.factor',
      'config.storage.replication.factor',
      'offset.storage.replication.factor',
      'status.storage.replication.factor',
    ].map(key => `${key} = ${factor}`),
  ].join('\n')}\n`;
}

/**
 * The Deployment running MirrorMaker 2 in the cluster that receives the
 * data. One worker: dedicated mode coordinates its tasks through Kafka, and
 * Recreate never lets two workers overlap during a rollout. The pods carry
 * no database labels, so the Services, the budget and the topology never
 * mistake them for brokers; the properties' hash rolls them on a change.
 */
export function mirrorMakerDeployment(
  r: NormalizedRequest,
  c: ResolvedPlacement,
  properties: string,
): KubeObject {
  const selector = {
    'app.kubernetes.io/name': r.name,
    'app.kubernetes.io/instance': mirrorMakerName(r),
  };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: mirrorMakerName(r),
      namespace: r.namespace,
      labels: {
        ...commonLabels(r),
        'app.kubernetes.io/component': 'mirrormaker',
      },
    },
    spec: {
      replicas: 1,
      strategy: { type: 'Recreate' },
      selector: { matchLabels: selector },
      template: {
        metadata: {
          labels: { ...selector, 'app.kubernetes.io/component': 'mirrormaker' },
          annotations: {
            'checksum/mm2-properties': createHash('sha256')
              .update(properties)
              .digest('hex'),
          },
        },
        spec: {
          containers: [
            {
              name: 'mirrormaker',
              image: `${r.image}:${r.version}`,
              command: [
                '/opt/kafka/bin/connect-mirror-maker.sh',
                `${MM2_DIR}/${MM2_PROPERTIES}`,
                '--clusters',
                c.name,
              ],
              volumeMounts: [
                { name: 'mirror', mountPath: MM2_DIR, readOnly: true },
              ],
            },
          ],
          volumes: [
            {
              name: 'mirror',
              configMap: {
                name: replicationConfigMapName(r),
                items: [{ key: MM2_PROPERTIES, path: MM2_PROPERTIES }],
              },
            },
          ],
        },
      },
    },
  };
}
