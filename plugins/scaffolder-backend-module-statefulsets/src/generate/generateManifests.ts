/*
 * The pure heart of the template: from a request and the configured
 * clusters, every manifest of a multi-cluster database — per-cluster
 * workloads and Services, replication wiring, federation, routing and the
 * catalog entity — plus the list of what to apply to which cluster.
 * No I/O here, so it is tested with golden files and timed by the bench.
 */
import { stringify } from 'yaml';
import {
  ANNOTATION_ALLOWED_REGIONS,
  ANNOTATION_ENGINE,
  ANNOTATION_KUBERNETES_ID,
  ANNOTATION_KUBERNETES_NAMESPACE,
  ANNOTATION_MAX_FAILOVER_LAG,
  ANNOTATION_REPLICATION_SOURCE,
  ANNOTATION_ROLE,
  ANNOTATION_STRATEGY,
  ANNOTATION_TRAFFIC,
  LABEL_CNPG_CLUSTER,
  LABEL_CNPG_INSTANCE_ROLE,
  LABEL_ISTIO_CLUSTER,
  LABEL_POD_ROLE,
} from '@multicluster/backstage-plugin-statefulsets-common';
import { ENGINE_PROFILES } from './engines';
import {
  clusterServiceName,
  headlessServiceName,
  primaryCluster,
} from './naming';
import { diffObjects } from './overrides';
import {
  cnpgCluster,
  replicationConfigMapName,
  replicationFor,
} from './replication';
import {
  ClusterInfo,
  ClusterTarget,
  GenerateRequest,
  GenerateResult,
  GeneratedFile,
  KubeObject,
} from './types';
import {
  NormalizedRequest,
  ResolvedPlacement,
  validateRequest,
} from './validateRequest';

/** Path of a cluster's folder inside the generated tree. */
function clusterDir(c: ResolvedPlacement): string {
  return `clusters/${c.name}`;
}

function commonLabels(r: NormalizedRequest): Record<string, string> {
  return {
    'app.kubernetes.io/name': r.name,
    'app.kubernetes.io/component': 'database',
    'app.kubernetes.io/managed-by': 'backstage',
    [ANNOTATION_KUBERNETES_ID]: r.name,
  };
}

function selectorLabels(r: NormalizedRequest): Record<string, string> {
  return r.engine === 'postgresql'
    ? { [LABEL_CNPG_CLUSTER]: r.name }
    : {
        'app.kubernetes.io/name': r.name,
        'app.kubernetes.io/instance': r.name,
      };
}

function workloadAnnotations(
  r: NormalizedRequest,
  c: ResolvedPlacement,
): Record<string, string> {
  const annotations: Record<string, string> = { [ANNOTATION_ROLE]: c.role };
  if (c.role === 'passive') {
    annotations[ANNOTATION_REPLICATION_SOURCE] = primaryCluster(r).name;
  }
  return annotations;
}

function podLabels(
  r: NormalizedRequest,
  c: ResolvedPlacement,
): Record<string, string> {
  const labels: Record<string, string> = {
    ...selectorLabels(r),
    [ANNOTATION_KUBERNETES_ID]: r.name,
  };
  // Which pod of an active side is primary is up to the engine; every pod
  // of a passive side is a replica, so that much is known up front.
  if (c.role === 'passive' && r.engine !== 'postgresql') {
    labels[LABEL_POD_ROLE] = 'replica';
  }
  return labels;
}

function ports(r: NormalizedRequest) {
  const profile = ENGINE_PROFILES[r.engine];
  return [{ name: profile.portName, port: r.port }, ...profile.extraPorts];
}

function statefulSet(
  r: NormalizedRequest,
  c: ResolvedPlacement,
  wiring: ReturnType<typeof replicationFor>['wiring'],
  hasConfig: boolean,
): KubeObject {
  const profile = ENGINE_PROFILES[r.engine];
  const shared = r.storage.cephfs !== undefined;
  const env = [...wiring.env];
  if (shared && !env.some(e => e.name === 'POD_NAME')) {
    env.push({
      name: 'POD_NAME',
      valueFrom: { fieldRef: { fieldPath: 'metadata.name' } },
    });
  }
  const volumeMounts: Array<Record<string, unknown>> = [
    // On the shared file system each pod keeps its own directory.
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
    for (const v of wiring.volumes) {
      volumes.push({
        name: v.name,
        configMap: {
          name: replicationConfigMapName(r),
          ...(v.items
            ? { items: v.items.map(key => ({ key, path: key })) }
            : {}),
        },
      });
    }
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

  const podSpec: Record<string, unknown> = { containers: [container] };
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

function service(
  r: NormalizedRequest,
  name: string,
  headless: boolean,
  selector: Record<string, string>,
): KubeObject {
  const spec: Record<string, unknown> = {};
  if (headless) {
    spec.clusterIP = 'None';
    // Peers must find each other before they are ready, to form replication.
    spec.publishNotReadyAddresses = true;
  }
  spec.selector = selector;
  spec.ports = (headless ? ports(r) : ports(r).slice(0, 1)).map(p => ({
    name: p.name,
    port: p.port,
    targetPort: p.port,
  }));
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: r.namespace, labels: commonLabels(r) },
    spec,
  };
}

function sharedVolume(r: NormalizedRequest, c: ResolvedPlacement) {
  const cephfs = r.storage.cephfs!;
  const pvName = `${r.namespace}-${r.name}-shared`;
  const pv: KubeObject = {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: { name: pvName, labels: commonLabels(r) },
    spec: {
      capacity: { storage: r.storage.size },
      accessModes: ['ReadWriteMany'],
      persistentVolumeReclaimPolicy: 'Retain',
      storageClassName: '',
      // A static volume binds to exactly this claim and no other.
      claimRef: { namespace: r.namespace, name: `${r.name}-shared` },
      csi: {
        driver: 'cephfs.csi.ceph.com',
        volumeHandle: pvName,
        volumeAttributes: {
          clusterID: cephfs.clusterID,
          fsName: cephfs.fsName,
          staticVolume: 'true',
          rootPath: cephfs.path,
        },
        nodeStageSecretRef: {
          name: cephfs.secretRef.name,
          namespace: cephfs.secretRef.namespace ?? r.namespace,
        },
      },
    },
  };
  const pvc: KubeObject = {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: {
      name: `${r.name}-shared`,
      namespace: r.namespace,
      labels: commonLabels(r),
      annotations: { [ANNOTATION_ROLE]: c.role },
    },
    spec: {
      accessModes: ['ReadWriteMany'],
      storageClassName: '',
      volumeName: pvName,
      resources: { requests: { storage: r.storage.size } },
    },
  };
  return { pv, pvc };
}

interface ClusterObjects {
  placement: ResolvedPlacement;
  workload: { file: string; object: KubeObject };
  others: Array<{ file: string; object: KubeObject }>;
}

function buildCluster(
  r: NormalizedRequest,
  c: ResolvedPlacement,
): ClusterObjects {
  const dir = clusterDir(c);
  const others: ClusterObjects['others'] = [];
  if (r.engine === 'postgresql') {
    const primarySelector = {
      [LABEL_CNPG_CLUSTER]: r.name,
      [LABEL_CNPG_INSTANCE_ROLE]: 'primary',
    };
    others.push(
      {
        file: `${dir}/service.yaml`,
        object: service(r, r.name, false, primarySelector),
      },
      {
        file: `${dir}/service-replication.yaml`,
        object: service(r, clusterServiceName(r, c), false, primarySelector),
      },
    );
    const workload = cnpgCluster(r, c, {
      labels: commonLabels(r),
      annotations: workloadAnnotations(r, c),
      podLabels: {
        [ANNOTATION_KUBERNETES_ID]: r.name,
        'app.kubernetes.io/name': r.name,
      },
    });
    return {
      placement: c,
      workload: { file: `${dir}/cluster.yaml`, object: workload },
      others,
    };
  }
  const replication = replicationFor(r, c, commonLabels(r));
  others.push(
    {
      file: `${dir}/service-headless.yaml`,
      object: service(r, headlessServiceName(r), true, selectorLabels(r)),
    },
    {
      file: `${dir}/service.yaml`,
      object: service(r, r.name, false, selectorLabels(r)),
    },
    {
      file: `${dir}/pdb.yaml`,
      object: {
        apiVersion: 'policy/v1',
        kind: 'PodDisruptionBudget',
        metadata: {
          name: r.name,
          namespace: r.namespace,
          labels: commonLabels(r),
        },
        spec: {
          maxUnavailable: 1,
          selector: { matchLabels: selectorLabels(r) },
        },
      },
    },
  );
  if (replication.object) {
    others.push({
      file: `${dir}/replication-configmap.yaml`,
      object: replication.object,
    });
  }
  if (r.storage.cephfs) {
    const { pv, pvc } = sharedVolume(r, c);
    others.push(
      { file: `${dir}/shared-pv.yaml`, object: pv },
      { file: `${dir}/shared-pvc.yaml`, object: pvc },
    );
  }
  return {
    placement: c,
    workload: {
      file: `${dir}/statefulset.yaml`,
      object: statefulSet(r, c, replication.wiring, !!replication.object),
    },
    others,
  };
}

function federationObjects(
  r: NormalizedRequest,
  built: ClusterObjects[],
): Array<{ file: string; object: KubeObject }> {
  const primary = primaryCluster(r);
  const base = built.find(b => b.placement.name === primary.name)!.workload
    .object;
  const overrides = built
    .map(b => ({
      cluster: b.placement.name,
      ops: diffObjects(base, b.workload.object),
    }))
    .filter(o => o.ops.length > 0);
  const clusterNames = built.map(b => b.placement.name);
  const labels = commonLabels(r);

  if (r.federation === 'kubefed') {
    const { metadata, spec } = base as KubeObject & { spec: unknown };
    return [
      {
        file: 'federation/federatedstatefulset.yaml',
        object: {
          apiVersion: 'types.kubefed.io/v1beta1',
          kind: 'FederatedStatefulSet',
          metadata: { name: r.name, namespace: r.namespace, labels },
          spec: {
            template: {
              metadata: {
                labels: metadata.labels,
                annotations: metadata.annotations,
              },
              spec,
            },
            placement: { clusters: clusterNames.map(name => ({ name })) },
            overrides: overrides.map(o => ({
              clusterName: o.cluster,
              clusterOverrides: o.ops.map(op => ({
                op: op.op,
                path: op.path,
                ...(op.op === 'remove' ? {} : { value: op.value }),
              })),
            })),
          },
        },
      },
    ];
  }
  const selector = {
    apiVersion: base.apiVersion,
    kind: base.kind,
    name: r.name,
    namespace: r.namespace,
  };
  const templateFile =
    base.kind === 'Cluster'
      ? 'federation/cluster.yaml'
      : 'federation/statefulset.yaml';
  return [
    { file: templateFile, object: base },
    {
      file: 'federation/propagationpolicy.yaml',
      object: {
        apiVersion: 'policy.karmada.io/v1alpha1',
        kind: 'PropagationPolicy',
        metadata: { name: r.name, namespace: r.namespace, labels },
        spec: {
          resourceSelectors: [selector],
          placement: {
            clusterAffinity: { clusterNames },
            // Every member runs its own full copy; the overrides size each one.
            replicaScheduling: { replicaSchedulingType: 'Duplicated' },
          },
        },
      },
    },
    ...overrides.map(o => ({
      file: `federation/overridepolicy-${o.cluster}.yaml`,
      object: {
        apiVersion: 'policy.karmada.io/v1alpha1',
        kind: 'OverridePolicy',
        metadata: {
          name: `${r.name}-${o.cluster}`,
          namespace: r.namespace,
          labels,
        },
        spec: {
          resourceSelectors: [selector],
          overrideRules: [
            {
              targetCluster: { clusterNames: [o.cluster] },
              overriders: {
                plaintext: o.ops.map(op => ({
                  path: op.path,
                  operator: op.op,
                  ...(op.op === 'remove' ? {} : { value: op.value }),
                })),
              },
            },
          ],
        },
      },
    })),
  ];
}

function failoverPairs(
  r: NormalizedRequest,
): Array<{ from: string; to: string }> {
  const regions = [
    ...new Set(r.clusters.map(c => c.region).filter((x): x is string => !!x)),
  ];
  if (regions.length < 2) {
    return [];
  }
  if (r.strategy === 'active-active') {
    return regions.map((from, i) => ({
      from,
      to: regions[(i + 1) % regions.length],
    }));
  }
  // The active region fails over to the nearest passive one (the first
  // listed); every passive region falls back to the active region.
  const home = primaryCluster(r).region ?? regions[0];
  const others = regions.filter(x => x !== home);
  return [
    { from: home, to: others[0] },
    ...others.map(from => ({ from, to: home })),
  ];
}

function istioObjects(
  r: NormalizedRequest,
): Array<{ file: string; object: KubeObject }> {
  const labels = commonLabels(r);
  const profile = ENGINE_PROFILES[r.engine];
  const trafficPolicy: Record<string, unknown> = {};
  const failover = failoverPairs(r);
  if (failover.length > 0) {
    trafficPolicy.loadBalancer = {
      localityLbSetting: { enabled: true, failover },
    };
  }
  // Locality failover only acts on endpoints that outlier detection ejects.
  trafficPolicy.outlierDetection = {
    consecutive5xxErrors: 3,
    interval: '10s',
    baseEjectionTime: '30s',
    maxEjectionPercent: 100,
  };
  return [
    {
      file: 'routing/serviceentry.yaml',
      object: {
        apiVersion: 'networking.istio.io/v1',
        kind: 'ServiceEntry',
        metadata: { name: `${r.name}-global`, namespace: r.namespace, labels },
        spec: {
          hosts: [r.globalHost],
          location: 'MESH_INTERNAL',
          resolution: 'DNS',
          ports: [{ number: r.port, name: profile.portName, protocol: 'TCP' }],
          // One endpoint per cluster: each cluster is its own Istio network,
          // reached through its east-west gateway.
          endpoints: r.clusters.map(c => ({
            address: `${r.name}.${r.namespace}.svc.cluster.local`,
            network: c.name,
            ...(c.region ? { locality: c.region } : {}),
            labels: { [LABEL_ISTIO_CLUSTER]: c.name },
          })),
        },
      },
    },
    {
      file: 'routing/virtualservice.yaml',
      object: {
        apiVersion: 'networking.istio.io/v1',
        kind: 'VirtualService',
        metadata: { name: r.name, namespace: r.namespace, labels },
        spec: {
          hosts: [r.globalHost],
          tcp: [
            {
              match: [{ port: r.port }],
              route: r.clusters.map(c => ({
                destination: {
                  host: r.globalHost,
                  subset: c.name,
                  port: { number: r.port },
                },
                weight: c.weight,
              })),
            },
          ],
        },
      },
    },
    {
      file: 'routing/destinationrule.yaml',
      object: {
        apiVersion: 'networking.istio.io/v1',
        kind: 'DestinationRule',
        metadata: { name: r.name, namespace: r.namespace, labels },
        spec: {
          host: r.globalHost,
          trafficPolicy,
          subsets: r.clusters.map(c => ({
            name: c.name,
            labels: { [LABEL_ISTIO_CLUSTER]: c.name },
          })),
        },
      },
    },
  ];
}

function mcsObjects(
  r: NormalizedRequest,
): Array<{ file: string; object: KubeObject; cluster: string }> {
  return r.clusters.flatMap(c => {
    // Peers always reach each other; the client Service is exported only
    // where writes are taken, and a failover moves that export.
    const exported = [
      ...(c.role === 'active' ? [r.name] : []),
      r.engine === 'postgresql'
        ? clusterServiceName(r, c)
        : headlessServiceName(r),
    ];
    return exported.map(name => ({
      file: `routing/${c.name}/serviceexport-${name}.yaml`,
      cluster: c.name,
      object: {
        apiVersion: 'multicluster.x-k8s.io/v1alpha1',
        kind: 'ServiceExport',
        metadata: { name, namespace: r.namespace, labels: commonLabels(r) },
      },
    }));
  });
}

function entity(r: NormalizedRequest) {
  const annotations: Record<string, string> = {
    [ANNOTATION_KUBERNETES_ID]: r.name,
    [ANNOTATION_KUBERNETES_NAMESPACE]: r.namespace,
    [ANNOTATION_ENGINE]: r.engine,
    [ANNOTATION_STRATEGY]: r.strategy,
    [ANNOTATION_MAX_FAILOVER_LAG]: String(r.maxFailoverLagSeconds),
  };
  if (r.routing === 'istio') {
    annotations[ANNOTATION_TRAFFIC] = `${r.namespace}/${r.name}`;
  }
  if (r.allowedRegions.length > 0) {
    annotations[ANNOTATION_ALLOWED_REGIONS] = r.allowedRegions.join(',');
  }
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name: r.name,
      ...(r.description ? { description: r.description } : {}),
      annotations,
      tags: [r.engine, 'multi-cluster', r.strategy],
    },
    spec: {
      type: 'database',
      lifecycle: r.lifecycle,
      owner: r.owner,
      ...(r.system ? { system: r.system } : {}),
    },
  };
}

function toYaml(value: unknown, header?: string): string {
  const body = stringify(value, { lineWidth: 0, singleQuote: true });
  return header ? `${header}\n${body}` : body;
}

function warningsFor(r: NormalizedRequest): string[] {
  const warnings: string[] = [];
  if (r.strategy === 'active-passive') {
    for (const c of r.clusters) {
      if (c.role === 'passive' && c.weight > 0) {
        warnings.push(
          `clusters: passive cluster ${c.name} gets ${c.weight}% of the traffic but is read-only`,
        );
      }
    }
  }
  if (r.engine === 'mongodb' && r.clusters.length < 3) {
    warnings.push(
      'mongodb: with fewer than three clusters, losing one site can take the voting majority with it; add a third cluster so an election still succeeds',
    );
  }
  if (r.engine === 'generic') {
    warnings.push(
      'generic: no replication is configured; a replication exporter must maintain the role and lag annotations',
    );
  }
  if (r.routing === 'none') {
    warnings.push(
      'routing none: clients must be redirected by hand after a failover',
    );
  }
  if (
    r.routing === 'istio' &&
    new Set(r.clusters.map(c => c.region).filter(Boolean)).size < 2
  ) {
    warnings.push(
      'routing istio: all clusters share one region, so no locality failover is configured',
    );
  }
  return warnings;
}

/**
 * Generates every file of a multi-cluster database. Throws an InputError
 * (naming the field) when the request breaks one of the template's rules.
 */
export function generateManifests(
  request: GenerateRequest,
  clusters: ClusterInfo[],
): GenerateResult {
  const r = validateRequest(request, clusters);
  const built = r.clusters.map(c => buildCluster(r, c));
  const federated = r.federation !== 'none';

  const files: GeneratedFile[] = [];
  const objects: GenerateResult['objects'] = [];
  const perCluster = new Map<string, string[]>();
  const add = (
    file: string,
    object: KubeObject,
    cluster?: string,
    header?: string,
  ) => {
    files.push({ path: file, content: toYaml(object, header), cluster });
    objects.push({ path: file, object });
  };

  for (const b of built) {
    const name = b.placement.name;
    const applied: string[] = [];
    // Configuration, Services and volumes first, so the pods find them.
    for (const o of b.others) {
      add(o.file, o.object, name);
      applied.push(o.file);
    }
    if (federated) {
      // Kept for review and drift comparison; the federation host creates it.
      add(
        b.workload.file,
        b.workload.object,
        undefined,
        `# Rendered for ${name}. Not applied directly: ${
          r.federation
        } propagates it from federation/ on ${r.federationHost!.name}.`,
      );
    } else {
      add(b.workload.file, b.workload.object, name);
      applied.push(b.workload.file);
    }
    const dir = clusterDir(b.placement);
    files.push({
      path: `${dir}/kustomization.yaml`,
      cluster: name,
      content: toYaml({
        apiVersion: 'kustomize.config.k8s.io/v1beta1',
        kind: 'Kustomization',
        namespace: r.namespace,
        resources: applied.map(f => f.slice(dir.length + 1)),
      }),
    });
    perCluster.set(name, applied);
  }

  const hostFiles: string[] = [];
  if (federated) {
    for (const o of federationObjects(r, built)) {
      add(o.file, o.object, r.federationHost!.name);
      hostFiles.push(o.file);
    }
  }

  if (r.routing === 'istio') {
    // Istio configuration is not shared between control planes: every
    // member cluster gets the same routing objects.
    for (const o of istioObjects(r)) {
      add(o.file, o.object);
      for (const c of r.clusters) perCluster.get(c.name)!.push(o.file);
    }
  } else if (r.routing === 'mcs') {
    for (const o of mcsObjects(r)) {
      add(o.file, o.object, o.cluster);
      perCluster.get(o.cluster)!.push(o.file);
    }
  }

  files.push({ path: 'catalog-info.yaml', content: toYaml(entity(r)) });

  const targets: ClusterTarget[] = r.clusters.map(c => ({
    name: c.name,
    ...(c.region ? { region: c.region } : {}),
    role: c.role,
    manifests: perCluster.get(c.name)!,
  }));
  if (federated) {
    const host = r.federationHost!;
    const member = targets.find(t => t.name === host.name);
    if (member) {
      member.federationHost = true;
      member.manifests.push(...hostFiles);
    } else {
      targets.push({
        name: host.name,
        ...(host.region ? { region: host.region } : {}),
        federationHost: true,
        manifests: hostFiles,
      });
    }
  }

  return {
    files,
    targets,
    entityRef: `component:default/${r.name}`,
    warnings: warningsFor(r),
    objects,
  };
}
