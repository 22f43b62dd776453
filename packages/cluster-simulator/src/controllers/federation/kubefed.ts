// The KubeFed control plane for FederatedStatefulSets: placement by name or
// selector, per-cluster JSON patch overrides, and the propagation status.
// As in KubeFed, nothing propagates without the host's FederatedTypeConfig
// for statefulsets.apps, and a FederatedStatefulSet goes only to clusters
// its namespace's FederatedNamespace is placed on (none at all, with
// reason NamespaceNotFederated, when the namespace is not federated).
import { clusterLabels, matchesLabelSelector } from './clusterSelection';
import { federationController } from './federationHost';
import { applyJsonPatchOp } from './jsonPointer';
import { memberCopy, syncMember } from './memberSync';
import { safeList } from './safeList';
import { isoSeconds } from '../../api/timestamp';
import type {
  ClusterApi,
  Controller,
  ControllerContext,
  KubeObject,
} from '../types';

const KUBEFED_API = 'types.kubefed.io/v1beta1';
const KUBEFED_CORE_API = 'core.kubefed.io/v1beta1';
const KUBEFED_SYSTEM = 'kube-federation-system';
const KUBEFED_MANAGED = 'kubefed.io/managed';

/** Whether the host federates a type: its FederatedTypeConfig exists and propagates. */
function federates(host: ClusterApi, typeConfig: string): boolean {
  const config = safeList(
    host,
    KUBEFED_CORE_API,
    'FederatedTypeConfig',
    KUBEFED_SYSTEM,
  ).find(c => c.metadata.name === typeConfig);
  return config !== undefined && config.spec?.propagation !== 'Disabled';
}

/** The FederatedNamespace that federates a namespace, if KubeFed federates it. */
function federatedNamespace(
  host: ClusterApi,
  namespace: string | undefined,
): KubeObject | undefined {
  if (!namespace || !federates(host, 'namespaces')) return undefined;
  return safeList(host, KUBEFED_API, 'FederatedNamespace', namespace).find(
    f => f.metadata.name === namespace && !f.metadata.deletionTimestamp,
  );
}

/** Member clusters a federated object's placement names or selects. */
function kubefedMembers(fss: KubeObject, clusters: ClusterApi[]): ClusterApi[] {
  const placement = fss.spec?.placement;
  if (Array.isArray(placement?.clusters)) {
    const names = new Set(
      placement.clusters.map((c: { name: string }) => c.name),
    );
    return clusters.filter(c => names.has(c.name));
  }
  if (placement?.clusterSelector) {
    return clusters.filter(c =>
      matchesLabelSelector(clusterLabels(c), placement.clusterSelector),
    );
  }
  return [];
}

function kubefedDesired(fss: KubeObject, member: string): KubeObject {
  const template = fss.spec?.template ?? {};
  const desired = memberCopy({
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: {
      name: fss.metadata.name,
      namespace: fss.metadata.namespace,
      labels: template.metadata?.labels,
      annotations: template.metadata?.annotations,
    },
    spec: template.spec ?? {},
  });
  const overrides = (fss.spec?.overrides ?? []).filter(
    (o: { clusterName: string }) => o.clusterName === member,
  );
  for (const o of overrides) {
    for (const edit of o.clusterOverrides ?? []) {
      applyJsonPatchOp(desired, edit.op ?? 'replace', edit.path, edit.value);
    }
  }
  desired.metadata.labels = {
    ...desired.metadata.labels,
    [KUBEFED_MANAGED]: 'true',
  };
  return desired;
}

/** One member's line in a FederatedStatefulSet's status. */
interface ClusterResult {
  name: string;
  status: string;
  remoteStatus?: unknown;
}

/** The member's StatefulSet a FederatedStatefulSet stands for (same namespace/name). */
function memberStatefulSet(
  member: ClusterApi,
  fss: KubeObject,
): KubeObject | undefined {
  return member.get(
    'apps/v1',
    'StatefulSet',
    fss.metadata.namespace,
    fss.metadata.name,
  );
}

/** Syncs one member's StatefulSet and says how it went, in KubeFed's status words. */
function syncKubefedMember(
  ctx: ControllerContext,
  fss: KubeObject,
  member: ClusterApi,
): ClusterResult {
  if (ctx.isDown(member.name)) {
    return { name: member.name, status: 'ClusterNotReady' };
  }
  let desired: KubeObject;
  try {
    desired = kubefedDesired(fss, member.name);
  } catch {
    return { name: member.name, status: 'ComputeResourceFailed' };
  }
  const existing = memberStatefulSet(member, fss);
  if (existing && existing.metadata.labels?.[KUBEFED_MANAGED] !== 'true') {
    return { name: member.name, status: 'AlreadyExists' };
  }
  try {
    syncMember(member, desired, existing, { labels: [], annotations: [] });
  } catch {
    return {
      name: member.name,
      status: existing ? 'UpdateFailed' : 'CreationFailed',
    };
  }
  const s = memberStatefulSet(member, fss)?.status ?? {};
  return {
    name: member.name,
    status: 'OK',
    remoteStatus: {
      replicas: s.replicas ?? 0,
      readyReplicas: s.readyReplicas ?? 0,
      currentReplicas: s.currentReplicas ?? 0,
      updatedReplicas: s.updatedReplicas ?? 0,
      observedGeneration: s.observedGeneration ?? 0,
    },
  };
}

function kubefedReconcile(ctx: ControllerContext): void {
  const host = ctx.cluster;
  const clusters = [...ctx.clusters.values()].sort((a, b) =>
    a.name.localeCompare(b.name),
  );
  if (!federates(host, 'statefulsets.apps')) {
    return; // no sync controller runs for the type: nothing happens
  }
  const wanted = new Map<string, Set<string>>();
  const now = isoSeconds(ctx.now());
  for (const fss of safeList(host, KUBEFED_API, 'FederatedStatefulSet')) {
    if (fss.metadata.deletionTimestamp) {
      continue;
    }
    const namespace = federatedNamespace(host, fss.metadata.namespace);
    if (!namespace) {
      writeKubefedStatus(host, fss, [], now, 'NamespaceNotFederated');
      continue;
    }
    const inNamespace = new Set(
      kubefedMembers(namespace, clusters).map(c => c.name),
    );
    const key = `${fss.metadata.namespace}/${fss.metadata.name}`;
    const results: ClusterResult[] = [];
    for (const member of kubefedMembers(fss, clusters).filter(m =>
      inNamespace.has(m.name),
    )) {
      if (!wanted.has(member.name)) {
        wanted.set(member.name, new Set());
      }
      wanted.get(member.name)!.add(key);
      results.push(syncKubefedMember(ctx, fss, member));
    }
    writeKubefedStatus(host, fss, results, now);
  }
  for (const member of clusters) {
    if (ctx.isDown(member.name)) {
      continue;
    }
    const keep = wanted.get(member.name) ?? new Set<string>();
    for (const sts of safeList(member, 'apps/v1', 'StatefulSet')) {
      if (
        sts.metadata.labels?.[KUBEFED_MANAGED] === 'true' &&
        !keep.has(`${sts.metadata.namespace}/${sts.metadata.name}`)
      ) {
        member.delete(
          'apps/v1',
          'StatefulSet',
          sts.metadata.namespace,
          sts.metadata.name,
        );
      }
    }
  }
}

function writeKubefedStatus(
  host: ClusterApi,
  fss: KubeObject,
  clusters: ClusterResult[],
  now: string,
  failure?: string,
): void {
  const ok = !failure && clusters.every(c => c.status === 'OK');
  const old = (fss.status?.conditions ?? []).find(
    (c: { type: string }) => c.type === 'Propagation',
  );
  const status = ok ? 'True' : 'False';
  const condition = {
    type: 'Propagation',
    status,
    ...(ok ? {} : { reason: failure ?? 'CheckClusters' }),
    lastUpdateTime: old?.status === status ? old.lastUpdateTime : now,
    lastTransitionTime: old?.status === status ? old.lastTransitionTime : now,
  };
  const next = {
    observedGeneration: fss.metadata.generation ?? 1,
    clusters: [...clusters].sort((a, b) => a.name.localeCompare(b.name)),
    conditions: [condition],
  };
  if (JSON.stringify(next) !== JSON.stringify(fss.status ?? {})) {
    host.updateStatus({ ...fss, status: next });
  }
}

/** The KubeFed control plane, active only in the cluster marked `federationHost: kubefed`. */
export function kubefedController(): Controller {
  return federationController('kubefed', kubefedReconcile);
}
