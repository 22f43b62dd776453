// The Karmada control plane: every PropagationPolicy of the Karmada API
// server placed on its members, copies removed where no longer placed,
// workload status summed back into the templates. The API server is a
// cluster entry of its own and never a member: it stores the templates and
// runs none of them.
import { type ResourceSelector, selects } from './clusterSelection';
import { federationController, isFederationHost } from './federationHost';
import { divideReplicas, placedMembers } from './karmadaPlacement';
import {
  KARMADA_MANAGED,
  markTemplate,
  PP_NAME,
  propagateToMember,
} from './karmadaPropagation';
import { safeList } from './safeList';
import type {
  ClusterApi,
  Controller,
  ControllerContext,
  KubeObject,
} from '../types';

const KARMADA_API = 'policy.karmada.io/v1alpha1';

/** The host's PropagationPolicies in the order they claim templates: highest priority first. */
function policiesByPriority(host: ClusterApi): KubeObject[] {
  return safeList(host, KARMADA_API, 'PropagationPolicy').sort(
    (a, b) =>
      (Number(b.spec?.priority) || 0) - (Number(a.spec?.priority) || 0) ||
      a.metadata.name.localeCompare(b.metadata.name),
  );
}

/** The clusters Karmada may place on: every cluster but its API server. */
function memberClusters(ctx: ControllerContext): ClusterApi[] {
  return [...ctx.clusters.values()]
    .filter(c => c.name !== ctx.cluster.name)
    .sort((a, b) => a.name.localeCompare(b.name));
}

function karmadaReconcile(ctx: ControllerContext): void {
  const host = ctx.cluster;
  const policies = policiesByPriority(host);
  const overridePolicies = safeList(host, KARMADA_API, 'OverridePolicy').sort(
    (a, b) => a.metadata.name.localeCompare(b.metadata.name),
  );
  const clusters = memberClusters(ctx);
  // apiVersion/kind pairs the policies speak of, plus the ones the product
  // always propagates, so removal also finds copies of deselected kinds.
  const kinds = new Map<string, string>([
    ['apps/v1 StatefulSet', 'apps/v1'],
    ['v1 Service', 'v1'],
    ['v1 ConfigMap', 'v1'],
    ['v1 Secret', 'v1'],
  ]);
  for (const p of policies) {
    for (const s of (p.spec?.resourceSelectors ?? []) as ResourceSelector[]) {
      kinds.set(`${s.apiVersion} ${s.kind}`, s.apiVersion);
    }
  }
  /** member → namespace/kind/name of every object that should be there. */
  const wanted = new Map<string, Set<string>>();
  const claimed = new Set<string>();

  for (const policy of policies) {
    const ns = policy.metadata.namespace ?? 'default';
    const selectors = (policy.spec?.resourceSelectors ??
      []) as ResourceSelector[];
    const templates: KubeObject[] = [];
    for (const s of selectors) {
      for (const obj of safeList(
        host,
        s.apiVersion,
        s.kind,
        s.namespace ?? ns,
      )) {
        const id = `${obj.apiVersion}/${obj.kind}/${obj.metadata.namespace}/${obj.metadata.name}`;
        if (
          !obj.metadata.deletionTimestamp &&
          selects(s, obj, ns) &&
          !claimed.has(id)
        ) {
          claimed.add(id);
          templates.push(obj);
        }
      }
    }
    const members = placedMembers(policy.spec?.placement, clusters);
    const divided =
      policy.spec?.placement?.replicaScheduling?.replicaSchedulingType ===
      'Divided';
    for (let template of templates) {
      template = markTemplate(host, template, policy);
      const replicas = divided
        ? divideReplicas(Number(template.spec?.replicas ?? 0), members, policy)
        : undefined;
      for (const member of members) {
        const key = `${template.metadata.namespace}/${template.kind}/${template.metadata.name}`;
        if (!wanted.has(member.name)) {
          wanted.set(member.name, new Set());
        }
        wanted.get(member.name)!.add(key);
        if (ctx.isDown(member.name)) {
          continue; // synced when it comes back
        }
        propagateToMember(member, template, policy, overridePolicies, replicas);
      }
      if (typeof template.spec?.replicas === 'number') {
        aggregateStatus(ctx, host, template, members);
      }
    }
  }
  removeUnplaced(ctx, host, clusters, kinds, wanted);
}

/** Sums the members' workload status into the template, like Karmada's aggregation. */
function aggregateStatus(
  ctx: ControllerContext,
  host: ClusterApi,
  template: KubeObject,
  members: ClusterApi[],
): void {
  const sums: Record<string, number> = {
    replicas: 0,
    readyReplicas: 0,
    currentReplicas: 0,
    updatedReplicas: 0,
    availableReplicas: 0,
  };
  for (const member of members) {
    if (ctx.isDown(member.name)) {
      continue;
    }
    const copy = member.get(
      template.apiVersion,
      template.kind,
      template.metadata.namespace,
      template.metadata.name,
    );
    for (const key of Object.keys(sums)) {
      sums[key] += Number(copy?.status?.[key] ?? 0);
    }
  }
  const status = {
    ...template.status,
    ...sums,
    observedGeneration: template.metadata.generation ?? 1,
  };
  if (JSON.stringify(status) !== JSON.stringify(template.status ?? {})) {
    host.updateStatus({ ...template, status });
  }
}

function removeUnplaced(
  ctx: ControllerContext,
  host: ClusterApi,
  clusters: ClusterApi[],
  kinds: Map<string, string>,
  wanted: Map<string, Set<string>>,
): void {
  for (const member of clusters) {
    if (member.name === host.name || ctx.isDown(member.name)) {
      continue;
    }
    const keep = wanted.get(member.name) ?? new Set<string>();
    for (const [key, apiVersion] of kinds) {
      const kind = key.split(' ')[1];
      for (const obj of safeList(member, apiVersion, kind)) {
        if (
          obj.metadata.labels?.[KARMADA_MANAGED] === 'true' &&
          obj.metadata.labels?.[PP_NAME] &&
          !keep.has(
            `${obj.metadata.namespace}/${obj.kind}/${obj.metadata.name}`,
          )
        ) {
          member.delete(
            apiVersion,
            kind,
            obj.metadata.namespace,
            obj.metadata.name,
          );
        }
      }
    }
  }
}

/**
 * Whether an object of this cluster is only a Karmada resource template:
 * the cluster is the Karmada API server, which runs no workload
 * controllers, so no StatefulSet there starts pods; the members run the
 * copies its policies place.
 */
export function isKarmadaTemplateOnly(
  ctx: ControllerContext,
  _obj: KubeObject,
): boolean {
  return isFederationHost(ctx, 'karmada');
}

/** The Karmada control plane, acting from the cluster marked `federationHost: karmada` (its API server). */
export function karmadaController(): Controller {
  return federationController('karmada', karmadaReconcile);
}
