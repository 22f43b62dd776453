// The KubeFed control plane for FederatedStatefulSets: placement by name or
// selector, per-cluster JSON patch overrides, and the propagation status.
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
const KUBEFED_MANAGED = 'kubefed.io/managed';

/** Member clusters a FederatedStatefulSet's placement names or selects. */
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
  const wanted = new Map<string, Set<string>>();
  const now = isoSeconds(ctx.now());
  for (const fss of safeList(host, KUBEFED_API, 'FederatedStatefulSet')) {
    if (fss.metadata.deletionTimestamp) {
      continue;
    }
    const key = `${fss.metadata.namespace}/${fss.metadata.name}`;
    const results: ClusterResult[] = [];
    for (const member of kubefedMembers(fss, clusters)) {
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
): void {
  const ok = clusters.every(c => c.status === 'OK');
  const old = (fss.status?.conditions ?? []).find(
    (c: { type: string }) => c.type === 'Propagation',
  );
  const status = ok ? 'True' : 'False';
  const condition = {
    type: 'Propagation',
    status,
    ...(ok ? {} : { reason: 'CheckClusters' }),
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
