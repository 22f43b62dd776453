/*
 * The StatefulSet controller of the simulator (what kube-controller-manager
 * and the kubelet do together): ordinal pods with stable names and claims,
 * ordered or parallel management, readiness after a delay, rolling updates
 * highest ordinal first, status counters, the pod-role label this product
 * reads, and Endpoints for Services.
 */
import { createHash } from 'node:crypto';
import { fromSelectorObject, matchesLabels } from '../api/selectors';
import type {
  ClusterApi,
  Controller,
  ControllerContext,
  KubeObject,
} from './types';

/** Settings of the StatefulSet controller. */
export interface StatefulSetControllerOptions {
  /** How long a new pod stays Pending before it runs Ready (default 1000). */
  readinessDelayMs?: number;
}

/** The annotation holding a StatefulSet's role in a multi-cluster database. */
export const ROLE_ANNOTATION = 'multicluster-statefulsets/role';
/** The pod label saying which pod is the primary. */
export const POD_ROLE_LABEL = 'multicluster-statefulsets/pod-role';

// Stored objects are replaced, never changed, on every write: caching by
// object identity keeps the per-round cost of large worlds low.
const revisions = new WeakMap<object, string>();

/** The revision name of a pod template (`<sts>-<hash>`), as `controller-revision-hash`. */
export function revisionOf(sts: KubeObject): string {
  const cached = revisions.get(sts);
  if (cached) return cached;
  const h = createHash('sha256')
    .update(JSON.stringify(sts.spec?.template ?? {}))
    .digest('hex');
  const short = parseInt(h.slice(0, 12), 16).toString(36).slice(0, 10);
  const rev = `${sts.metadata.name}-${short}`;
  revisions.set(sts, rev);
  return rev;
}

function ordinalOf(stsName: string, podName: string): number | undefined {
  if (!podName.startsWith(`${stsName}-`)) return undefined;
  const rest = podName.slice(stsName.length + 1);
  return /^\d+$/.test(rest) ? Number(rest) : undefined;
}

function isReady(p: KubeObject): boolean {
  return (
    p.status?.phase === 'Running' &&
    (p.status?.conditions ?? []).some(
      (c: any) => c.type === 'Ready' && c.status === 'True',
    )
  );
}

/** The pod-role a pod should carry, or undefined when the StatefulSet has no role. */
export function desiredPodRole(
  sts: KubeObject,
  ordinal: number,
): string | undefined {
  const role = sts.metadata.annotations?.[ROLE_ANNOTATION];
  if (!role) return undefined;
  if (sts.spec?.template?.metadata?.labels?.[POD_ROLE_LABEL]) return undefined;
  const start = sts.spec?.ordinals?.start ?? 0;
  return role === 'active' && ordinal === start ? 'primary' : 'replica';
}

function stamp(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
}

function hashIp(s: string, prefix: string): string {
  const h = createHash('md5').update(s).digest();
  return `${prefix}.${h[0]}.${(h[1] % 253) + 1}`;
}

/** A context whose writes and requeues are noticed. */
function tracking(ctx: ControllerContext): {
  ctx: ControllerContext;
  changed(): boolean;
} {
  let changed = false;
  const c = ctx.cluster;
  const mark = <T>(v: T): T => {
    changed = true;
    return v;
  };
  const cluster: ClusterApi = {
    name: c.name,
    region: c.region,
    zones: c.zones,
    list: (a, k, n) => c.list(a, k, n),
    listShared: c.listShared ? (a, k, n) => c.listShared!(a, k, n) : undefined,
    get: (a, k, n, name) => c.get(a, k, n, name),
    create: o => mark(c.create(o)),
    update: o => mark(c.update(o)),
    updateStatus: o => mark(c.updateStatus(o)),
    delete: (a, k, n, name) => mark(c.delete(a, k, n, name)),
  };
  return {
    ctx: {
      ...ctx,
      cluster,
      requeueAfter: ms => {
        changed = true;
        ctx.requeueAfter?.(ms);
      },
    },
    changed: () => changed,
  };
}

/** Creates the StatefulSet controller. */
export function statefulSetController(
  options: StatefulSetControllerOptions = {},
): Controller {
  const delay = options.readinessDelayMs ?? 1000;
  const settled = new WeakMap<object, string>();
  return {
    name: 'statefulset',
    reconcile(ctx: ControllerContext) {
      const { cluster } = ctx;
      const pods =
        cluster.listShared?.('v1', 'Pod') ?? cluster.list('v1', 'Pod');
      const byOwner = new Map<string, KubeObject[]>();
      for (const p of pods) {
        const owner = p.metadata.ownerReferences?.find(
          r => r.controller && r.kind === 'StatefulSet',
        );
        if (!owner) continue;
        const l = byOwner.get(owner.uid) ?? [];
        l.push(p);
        byOwner.set(owner.uid, l);
      }
      const nodes =
        cluster.listShared?.('v1', 'Node') ?? cluster.list('v1', 'Node');
      const all =
        cluster.listShared?.('apps/v1', 'StatefulSet') ??
        cluster.list('apps/v1', 'StatefulSet');
      for (const sts of all) {
        const owned = byOwner.get(sts.metadata.uid!) ?? [];
        // A StatefulSet whose object and pods are the very ones a previous
        // round left untouched is converged; skipping it keeps ticks cheap.
        const signature = owned.map(p => p.metadata.resourceVersion).join(',');
        if (settled.get(sts) === signature) continue;
        const tracked = tracking(ctx);
        reconcileOne(tracked.ctx, sts, owned, nodes, delay);
        if (!tracked.changed()) settled.set(sts, signature);
      }
      reconcileEndpoints(ctx, pods);
      reconcileVolumes(ctx);
    },
  };
}

function reconcileOne(
  ctx: ControllerContext,
  sts: KubeObject,
  owned: KubeObject[],
  nodes: readonly KubeObject[],
  delay: number,
): void {
  const { cluster } = ctx;
  const ns = sts.metadata.namespace!;
  const name = sts.metadata.name;
  const spec = sts.spec ?? {};
  const replicas: number = spec.replicas ?? 1;
  const start: number = spec.ordinals?.start ?? 0;
  const parallel = spec.podManagementPolicy === 'Parallel';
  const updateRevision = revisionOf(sts);
  const event = (type: 'Normal' | 'Warning', reason: string, message: string) =>
    ctx.recordEvent?.(sts, type, reason, message);

  ensureRevision(ctx, sts, updateRevision);

  const byOrdinal = new Map<number, KubeObject>();
  // Kubelet part: pending pods become Running and Ready after the delay.
  for (const p of owned) {
    let pod = p;
    if (p.status?.phase === 'Pending' || !p.status?.phase) {
      const age = ctx.now() - Date.parse(p.metadata.creationTimestamp!);
      if (age >= delay) pod = markRunning(ctx, p) ?? p;
      else ctx.requeueAfter?.(delay - age + 5);
    }
    const o = ordinalOf(name, pod.metadata.name);
    if (o !== undefined) byOrdinal.set(o, pod);
  }

  // Pod-role labels follow the StatefulSet's role annotation.
  for (const [ord, p] of byOrdinal) {
    const role = desiredPodRole(sts, ord);
    if (role && p.metadata.labels?.[POD_ROLE_LABEL] !== role) {
      const fresh = cluster.get('v1', 'Pod', ns, p.metadata.name);
      if (fresh) {
        fresh.metadata.labels = {
          ...fresh.metadata.labels,
          [POD_ROLE_LABEL]: role,
        };
        cluster.update(fresh);
      }
    }
  }

  // Scale down: condemned ordinals go highest first.
  const condemned = [...byOrdinal.keys()]
    .filter(o => o < start || o >= start + replicas)
    .sort((a, b) => b - a);
  const deleteCount = parallel
    ? condemned.length
    : Math.min(1, condemned.length);
  for (const o of condemned.slice(0, deleteCount)) {
    const p = byOrdinal.get(o)!;
    cluster.delete('v1', 'Pod', ns, p.metadata.name);
    byOrdinal.delete(o);
    event(
      'Normal',
      'SuccessfulDelete',
      `delete Pod ${p.metadata.name} in StatefulSet ${name} successful`,
    );
    if (spec.persistentVolumeClaimRetentionPolicy?.whenScaled === 'Delete') {
      for (const t of spec.volumeClaimTemplates ?? []) {
        const claim = `${t.metadata.name}-${name}-${o}`;
        if (cluster.get('v1', 'PersistentVolumeClaim', ns, claim)) {
          cluster.delete('v1', 'PersistentVolumeClaim', ns, claim);
        }
      }
    }
  }

  // Scale up: missing ordinals, in order unless Parallel.
  let created = 0;
  for (let o = start; o < start + replicas; o++) {
    if (byOrdinal.has(o)) {
      if (!parallel && !isReady(byOrdinal.get(o)!)) break;
      continue;
    }
    if (!parallel && created > 0) break;
    if (!parallel && condemned.length > deleteCount) break;
    const pod = createPod(ctx, sts, o, updateRevision, nodes);
    byOrdinal.set(o, pod);
    created++;
    if (!parallel) break;
  }

  // Rolling update: one old-revision pod at a time, highest ordinal first.
  const strategy = spec.updateStrategy?.type ?? 'RollingUpdate';
  const partition = spec.updateStrategy?.rollingUpdate?.partition ?? 0;
  const current = [...byOrdinal.entries()].sort((a, b) => b[0] - a[0]);
  if (
    strategy === 'RollingUpdate' &&
    created === 0 &&
    current.every(([, p]) => isReady(p))
  ) {
    const stale = current.find(
      ([o, p]) =>
        o - start >= partition &&
        p.metadata.labels?.['controller-revision-hash'] !== updateRevision,
    );
    if (stale) {
      cluster.delete('v1', 'Pod', ns, stale[1].metadata.name);
      byOrdinal.delete(stale[0]);
      event(
        'Normal',
        'SuccessfulDelete',
        `delete Pod ${stale[1].metadata.name} in StatefulSet ${name} successful`,
      );
    }
  }

  // Status.
  const live = [...byOrdinal.values()];
  const ready = live.filter(isReady).length;
  const updated = live.filter(
    p => p.metadata.labels?.['controller-revision-hash'] === updateRevision,
  ).length;
  const prevCurrent: string = sts.status?.currentRevision ?? updateRevision;
  const currentRevision =
    updated === live.length && live.length === replicas
      ? updateRevision
      : prevCurrent;
  const currentReplicas = live.filter(
    p => p.metadata.labels?.['controller-revision-hash'] === currentRevision,
  ).length;
  const status = {
    observedGeneration: sts.metadata.generation,
    replicas: live.length,
    readyReplicas: ready,
    availableReplicas: ready,
    currentReplicas,
    updatedReplicas: updated,
    currentRevision,
    updateRevision,
    collisionCount: 0,
  };
  if (JSON.stringify(status) !== JSON.stringify(sts.status)) {
    cluster.updateStatus({ ...sts, status });
  }
}

// Revisions known to exist, per store (so simulators in one process never share it).
const knownRevisions = new WeakMap<object, Set<string>>();

function ensureRevision(
  ctx: ControllerContext,
  sts: KubeObject,
  revision: string,
): void {
  const ns = sts.metadata.namespace;
  const key = `${ns}/${revision}`;
  let known = knownRevisions.get(ctx.cluster);
  if (!known) knownRevisions.set(ctx.cluster, (known = new Set()));
  if (known.has(key)) return;
  if (ctx.cluster.get('apps/v1', 'ControllerRevision', ns, revision)) {
    known.add(key);
    return;
  }
  // The generation grows with every template change, so it serves as the
  // revision number without listing every revision in the namespace.
  const next = sts.metadata.generation ?? 1;
  ctx.cluster.create({
    apiVersion: 'apps/v1',
    kind: 'ControllerRevision',
    metadata: {
      name: revision,
      namespace: ns,
      labels: {
        ...sts.spec?.selector?.matchLabels,
        'controller.kubernetes.io/hash': revision.split('-').pop()!,
      },
      ownerReferences: [ownerRef(sts)],
    },
    data: { spec: { template: { ...sts.spec?.template, $patch: 'replace' } } },
    revision: next,
  });
}

function ownerRef(sts: KubeObject) {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    name: sts.metadata.name,
    uid: sts.metadata.uid!,
    controller: true,
    blockOwnerDeletion: true,
  };
}

function createPod(
  ctx: ControllerContext,
  sts: KubeObject,
  ordinal: number,
  revision: string,
  nodes: readonly KubeObject[],
): KubeObject {
  const { cluster } = ctx;
  const ns = sts.metadata.namespace!;
  const stsName = sts.metadata.name;
  const podName = `${stsName}-${ordinal}`;
  const template = structuredClone(sts.spec?.template ?? {});
  const zones = cluster.zones;
  const zone = zones.length ? zones[ordinal % zones.length] : undefined;
  const inZone = nodes.filter(
    n => n.metadata.labels?.['topology.kubernetes.io/zone'] === zone,
  );
  const pool = inZone.length ? inZone : nodes;
  const node = pool.length
    ? pool[Math.floor(ordinal / Math.max(1, zones.length)) % pool.length]
    : undefined;
  const volumes: any[] = [...(template.spec?.volumes ?? [])];
  for (const t of sts.spec?.volumeClaimTemplates ?? []) {
    const claimName = `${t.metadata.name}-${stsName}-${ordinal}`;
    ensureClaim(ctx, sts, t, claimName, node, zone);
    if (!volumes.some(v => v.name === t.metadata.name)) {
      volumes.push({
        name: t.metadata.name,
        persistentVolumeClaim: { claimName },
      });
    }
  }
  const role = desiredPodRole(sts, ordinal);
  const pod: KubeObject = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: podName,
      namespace: ns,
      labels: {
        ...template.metadata?.labels,
        'controller-revision-hash': revision,
        'apps.kubernetes.io/pod-index': String(ordinal),
        'statefulset.kubernetes.io/pod-name': podName,
        ...(role ? { [POD_ROLE_LABEL]: role } : {}),
      },
      annotations: template.metadata?.annotations,
      ownerReferences: [ownerRef(sts)],
    },
    spec: {
      ...template.spec,
      volumes,
      hostname: podName,
      ...(sts.spec?.serviceName ? { subdomain: sts.spec.serviceName } : {}),
      ...(node ? { nodeName: node.metadata.name } : {}),
    },
    status: {
      phase: 'Pending',
      qosClass: 'BestEffort',
      conditions: [
        {
          type: 'PodScheduled',
          status: 'True',
          lastTransitionTime: stamp(ctx.now()),
        },
      ],
    },
  };
  if (!pod.metadata.annotations) delete pod.metadata.annotations;
  const created = cluster.create(pod);
  ctx.recordEvent?.(
    sts,
    'Normal',
    'SuccessfulCreate',
    `create Pod ${podName} in StatefulSet ${stsName} successful`,
  );
  if (node) {
    ctx.recordEvent?.(
      created,
      'Normal',
      'Scheduled',
      `Successfully assigned ${ns}/${podName} to ${node.metadata.name}`,
      'default-scheduler',
    );
  }
  return created;
}

function ensureClaim(
  ctx: ControllerContext,
  sts: KubeObject,
  template: any,
  claimName: string,
  node: KubeObject | undefined,
  zone: string | undefined,
): void {
  const { cluster } = ctx;
  const ns = sts.metadata.namespace!;
  if (cluster.get('v1', 'PersistentVolumeClaim', ns, claimName)) return;
  const spec = structuredClone(template.spec ?? {});
  spec.storageClassName ??= 'standard';
  spec.accessModes ??= ['ReadWriteOnce'];
  spec.volumeMode ??= 'Filesystem';
  const size = spec.resources?.requests?.storage ?? '1Gi';
  const pvc = cluster.create({
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: {
      name: claimName,
      namespace: ns,
      // Claims are kept when their StatefulSet goes (the default Retain
      // policy); with whenDeleted: Delete they are owned and collected.
      ...(sts.spec?.persistentVolumeClaimRetentionPolicy?.whenDeleted ===
      'Delete'
        ? {
            ownerReferences: [
              { ...ownerRef(sts), controller: false, blockOwnerDeletion: true },
            ],
          }
        : {}),
      labels: {
        ...sts.spec?.selector?.matchLabels,
        ...template.metadata?.labels,
      },
      annotations: {
        'pv.kubernetes.io/bind-completed': 'yes',
        'pv.kubernetes.io/bound-by-controller': 'yes',
        'volume.beta.kubernetes.io/storage-provisioner': `${spec.storageClassName}.csi.simulator.local`,
        ...(node
          ? { 'volume.kubernetes.io/selected-node': node.metadata.name }
          : {}),
      },
    },
    spec,
    status: { phase: 'Pending' },
  });
  const pvName = `pvc-${pvc.metadata.uid}`;
  cluster.create({
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: {
      name: pvName,
      annotations: {
        'pv.kubernetes.io/provisioned-by': `${spec.storageClassName}.csi.simulator.local`,
      },
    },
    spec: {
      capacity: { storage: size },
      accessModes: spec.accessModes,
      persistentVolumeReclaimPolicy: 'Delete',
      storageClassName: spec.storageClassName,
      volumeMode: spec.volumeMode,
      claimRef: {
        kind: 'PersistentVolumeClaim',
        namespace: ns,
        name: claimName,
        uid: pvc.metadata.uid,
        apiVersion: 'v1',
        resourceVersion: pvc.metadata.resourceVersion,
      },
      csi: {
        driver: `${spec.storageClassName}.csi.simulator.local`,
        volumeHandle: `vol-${pvc.metadata.uid}`,
        fsType: 'ext4',
      },
      ...(zone
        ? {
            nodeAffinity: {
              required: {
                nodeSelectorTerms: [
                  {
                    matchExpressions: [
                      {
                        key: 'topology.kubernetes.io/zone',
                        operator: 'In',
                        values: [zone],
                      },
                    ],
                  },
                ],
              },
            },
          }
        : {}),
    },
    status: { phase: 'Bound' },
  });
  pvc.spec.volumeName = pvName;
  const bound = cluster.update(pvc);
  cluster.updateStatus({
    ...bound,
    status: {
      phase: 'Bound',
      accessModes: spec.accessModes,
      capacity: { storage: size },
    },
  });
  ctx.recordEvent?.(
    sts,
    'Normal',
    'SuccessfulCreate',
    `create Claim ${claimName} Pod ${sts.metadata.name}-${claimName
      .split('-')
      .pop()} in StatefulSet ${sts.metadata.name} success`,
  );
}

function markRunning(
  ctx: ControllerContext,
  p: KubeObject,
): KubeObject | undefined {
  const t = stamp(ctx.now());
  const fresh = ctx.cluster.get(
    'v1',
    'Pod',
    p.metadata.namespace,
    p.metadata.name,
  );
  if (!fresh) return undefined;
  const node = fresh.spec?.nodeName
    ? ctx.cluster.get('v1', 'Node', undefined, fresh.spec.nodeName)
    : undefined;
  const hostIP =
    node?.status?.addresses?.find((a: any) => a.type === 'InternalIP')
      ?.address ?? '10.0.0.1';
  const podIP = hashIp(
    `${ctx.cluster.name}/${fresh.metadata.namespace}/${fresh.metadata.name}`,
    '10.244',
  );
  const cond = (type: string) => ({
    type,
    status: 'True',
    lastProbeTime: null,
    lastTransitionTime: t,
  });
  for (const c of fresh.spec?.containers ?? []) {
    const say = (reason: string, message: string) =>
      ctx.recordEvent?.(fresh, 'Normal', reason, message, 'kubelet');
    say('Pulled', `Container image "${c.image}" already present on machine`);
    say('Created', `Created container: ${c.name}`);
    say('Started', `Started container ${c.name}`);
  }
  return ctx.cluster.updateStatus({
    ...fresh,
    status: {
      phase: 'Running',
      qosClass: 'BestEffort',
      hostIP,
      hostIPs: [{ ip: hostIP }],
      podIP,
      podIPs: [{ ip: podIP }],
      startTime: fresh.metadata.creationTimestamp,
      conditions: [
        cond('PodReadyToStartContainers'),
        cond('Initialized'),
        cond('Ready'),
        cond('ContainersReady'),
        cond('PodScheduled'),
      ],
      containerStatuses: (fresh.spec?.containers ?? []).map((c: any) => ({
        name: c.name,
        image: c.image,
        imageID: `${c.image}@sha256:${createHash('sha256')
          .update(String(c.image))
          .digest('hex')}`,
        containerID: `containerd://${createHash('sha256')
          .update(`${fresh.metadata.uid}/${c.name}`)
          .digest('hex')}`,
        ready: true,
        started: true,
        restartCount: 0,
        state: { running: { startedAt: t } },
        lastState: {},
      })),
    },
  });
}

/**
 * The volume binder's part: claims naming a volume (static PVs such as a
 * shared CephFS one) get bound to it, and volumes whose claim is gone are
 * deleted (reclaim policy Delete) or marked Released.
 */
function reconcileVolumes(ctx: ControllerContext): void {
  const { cluster } = ctx;
  const shared = (kind: string) =>
    cluster.listShared?.('v1', kind) ?? cluster.list('v1', kind);
  const claims = shared('PersistentVolumeClaim');
  for (const pvc of claims) {
    const volumeName = pvc.spec?.volumeName;
    if (pvc.status?.phase === 'Bound' || !volumeName) continue;
    const pv = cluster.get('v1', 'PersistentVolume', undefined, volumeName);
    if (!pv) continue;
    const ref = pv.spec?.claimRef;
    const takenByOther =
      ref &&
      (ref.namespace !== pvc.metadata.namespace ||
        ref.name !== pvc.metadata.name) &&
      claims.some(
        c =>
          c.metadata.uid === ref.uid ||
          (c.metadata.namespace === ref.namespace &&
            c.metadata.name === ref.name &&
            !ref.uid),
      );
    if (takenByOther) continue;
    const bound = cluster.update({
      ...pv,
      spec: {
        ...pv.spec,
        claimRef: {
          kind: 'PersistentVolumeClaim',
          apiVersion: 'v1',
          namespace: pvc.metadata.namespace,
          name: pvc.metadata.name,
          uid: pvc.metadata.uid,
        },
      },
    });
    cluster.updateStatus({ ...bound, status: { phase: 'Bound' } });
    cluster.updateStatus({
      ...pvc,
      status: {
        phase: 'Bound',
        accessModes: pv.spec?.accessModes,
        capacity: pv.spec?.capacity,
      },
    });
  }
  const uids = new Set(claims.map(c => c.metadata.uid));
  for (const pv of shared('PersistentVolume')) {
    const ref = pv.spec?.claimRef;
    if (!ref?.uid || uids.has(ref.uid)) continue;
    if (pv.spec?.persistentVolumeReclaimPolicy === 'Delete') {
      cluster.delete('v1', 'PersistentVolume', undefined, pv.metadata.name);
    } else if (pv.status?.phase !== 'Released') {
      cluster.updateStatus({ ...pv, status: { phase: 'Released' } });
    }
  }
}

/** Keeps an Endpoints object per selector Service, listing its ready pods. */
function reconcileEndpoints(
  ctx: ControllerContext,
  pods: readonly KubeObject[],
): void {
  const { cluster } = ctx;
  for (const svc of cluster.listShared?.('v1', 'Service') ??
    cluster.list('v1', 'Service')) {
    const selector = svc.spec?.selector;
    if (!selector || Object.keys(selector).length === 0) continue;
    const sel = fromSelectorObject({ matchLabels: selector });
    const members = pods
      .filter(
        p =>
          p.metadata.namespace === svc.metadata.namespace &&
          matchesLabels(sel, p.metadata.labels),
      )
      .filter(p => p.status?.podIP)
      .sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : 1));
    const address = (p: KubeObject) => ({
      ip: p.status.podIP,
      ...(svc.spec?.clusterIP === 'None' ? { hostname: p.spec?.hostname } : {}),
      nodeName: p.spec?.nodeName,
      targetRef: {
        kind: 'Pod',
        namespace: p.metadata.namespace,
        name: p.metadata.name,
        uid: p.metadata.uid,
      },
    });
    const ready = members.filter(isReady).map(address);
    const notReady = members.filter(p => !isReady(p)).map(address);
    const ports = (svc.spec?.ports ?? []).map((p: any) => ({
      ...(p.name ? { name: p.name } : {}),
      port: typeof p.targetPort === 'number' ? p.targetPort : p.port,
      protocol: p.protocol ?? 'TCP',
    }));
    const subsets =
      ready.length + notReady.length
        ? [
            {
              ...(ready.length ? { addresses: ready } : {}),
              ...(notReady.length ? { notReadyAddresses: notReady } : {}),
              ports,
            },
          ]
        : [];
    const existing = cluster.get(
      'v1',
      'Endpoints',
      svc.metadata.namespace,
      svc.metadata.name,
    );
    if (!existing) {
      cluster.create({
        apiVersion: 'v1',
        kind: 'Endpoints',
        metadata: {
          name: svc.metadata.name,
          namespace: svc.metadata.namespace,
          labels: svc.metadata.labels,
        },
        subsets,
      });
    } else if (
      JSON.stringify(existing.subsets ?? []) !== JSON.stringify(subsets)
    ) {
      cluster.update({ ...existing, subsets });
    }
  }
}
