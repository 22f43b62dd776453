/*
 * The StatefulSet of one cluster: the engine's container with its
 * replication wiring, its volumes (per-pod claims, or a directory per pod on
 * the shared CephFS volume), and ordinals that keep pods unique across
 * clusters.
 */
import { ENGINE_PROFILES } from './engines';
import {
  commonLabels,
  podLabels,
  selectorLabels,
  workloadAnnotations,
} from './labels';
import { headlessServiceName } from './naming';
import {
  ContainerWiring,
  replicationConfigMapName,
} from './replication/wiring';
import { ports } from './services';
import { KubeObject } from './types';
import { NormalizedRequest, ResolvedPlacement } from './validateRequest';

/** A volume of the wiring: keys of the replication ConfigMap, or a platform Secret. */
function wiringVolume(
  r: NormalizedRequest,
  v: ContainerWiring['volumes'][number],
): Record<string, unknown> {
  const items = v.items
    ? { items: v.items.map(key => ({ key, path: key })) }
    : {};
  if (v.secret) {
    const mode =
      v.defaultMode !== undefined ? { defaultMode: v.defaultMode } : {};
    return {
      name: v.name,
      secret: { secretName: v.secret, ...items, ...mode },
    };
  }
  return {
    name: v.name,
    configMap: { name: replicationConfigMapName(r), ...items },
  };
}

/** The StatefulSet of one cluster; `hasConfig` mounts the replication ConfigMap. */
export function statefulSet(
  r: NormalizedRequest,
  c: ResolvedPlacement,
  wiring: ContainerWiring,
  hasConfig: boolean,
): KubeObject {
  const profile = ENGINE_PROFILES[r.engine];
  const shared = r.storage.cephfs !== undefined;
  const env = [...wiring.env];
  // subPathExpr below needs the pod's name, which not every engine sets.
  if (shared && !env.some(e => e.name === 'POD_NAME')) {
    env.push({
      name: 'POD_NAME',
      valueFrom: { fieldRef: { fieldPath: 'metadata.name' } },
    });
  }
  const volumeMounts: Array<Record<string, unknown>> = [
    // On the shared file system each pod keeps its own directory, named
    // after the pod: every cluster runs the same pod names (see
    // resolveOrdinals), so a promoted cluster's pod finds what its
    // counterpart wrote.
    shared
      ? {
          name: 'data',
          mountPath: profile.dataPath,
          subPathExpr: '$(POD_NAME)',
        }
      : { name: 'data', mountPath: profile.dataPath },
  ];
  const volumes: Array<Record<string, unknown>> = [];
  if (hasConfig) {
    volumeMounts.push(...wiring.volumeMounts);
    volumes.push(...wiring.volumes.map(v => wiringVolume(r, v)));
  }
  if (shared) {
    volumes.push({
      name: 'data',
      persistentVolumeClaim: { claimName: `${r.name}-shared` },
    });
  }
  const container: Record<string, unknown> = {
    name: r.engine === 'generic' ? 'app' : r.engine,
    image: `${r.image}:${r.version}`,
  };
  if (wiring.command) container.command = wiring.command;
  if (wiring.args) container.args = wiring.args;
  container.ports = ports(r).map(p => ({
    name: p.name,
    containerPort: p.port,
  }));
  if (env.length > 0) container.env = env;
  if (r.resources) container.resources = r.resources;
  container.volumeMounts = volumeMounts;

  const podSpec: Record<string, unknown> = {
    containers: [container, ...(wiring.sidecars ?? [])],
  };
  if (wiring.podSecurityContext) {
    podSpec.securityContext = wiring.podSecurityContext;
  }
  if (volumes.length > 0) podSpec.volumes = volumes;
  if (c.zones.length > 1) {
    podSpec.topologySpreadConstraints = [
      {
        maxSkew: 1,
        topologyKey: 'topology.kubernetes.io/zone',
        whenUnsatisfiable: 'ScheduleAnyway',
        labelSelector: { matchLabels: selectorLabels(r) },
      },
    ];
  }
  const spec: Record<string, unknown> = {
    replicas: c.replicas,
    serviceName: headlessServiceName(r),
    // Distinct ordinal ranges keep pod names (and server ids) unique across clusters.
    ordinals: { start: c.ordinalsStart },
    podManagementPolicy: 'OrderedReady',
    updateStrategy: { type: 'RollingUpdate' },
    selector: { matchLabels: selectorLabels(r) },
    template: {
      metadata: { labels: podLabels(r, c) },
      spec: podSpec,
    },
    persistentVolumeClaimRetentionPolicy: {
      whenDeleted: 'Retain',
      whenScaled: 'Retain',
    },
  };
  if (!shared) {
    const storageClass = c.storageClass ?? r.storage.storageClass;
    spec.volumeClaimTemplates = [
      {
        metadata: { name: 'data', labels: selectorLabels(r) },
        spec: {
          accessModes: ['ReadWriteOnce'],
          ...(storageClass ? { storageClassName: storageClass } : {}),
          resources: { requests: { storage: r.storage.size } },
        },
      },
    ];
  }
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: {
      name: r.name,
      namespace: r.namespace,
      labels: commonLabels(r),
      annotations: workloadAnnotations(r, c),
    },
    spec,
  };
}
