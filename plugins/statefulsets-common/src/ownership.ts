/*
 * Ownership stamps: which catalog entity a Kubernetes object belongs to, read
 * from its `multicluster-statefulsets/owner-entity` annotation. Labels and
 * annotations on the entity only *select* objects, and anyone may register an
 * entity selecting anything; the stamp on the object is what says whose it
 * is, so failover acts only on objects stamped for the entity it runs for.
 */
import { ANNOTATION_OWNER_ENTITY } from './annotations';
import { annotationOf, ClusterObjects, KubeObject } from './kube';
import {
  EntityPolicy,
  ObjectOwnership,
  OwnedObjectRef,
  OwnershipSummary,
  TopologyCluster,
  TrafficSplit,
} from './types';

/** Entity refs compare case-insensitively, as the catalog compares them. */
export function sameEntityRef(a: string, b: string): boolean {
  return (
    a.trim().toLocaleLowerCase('en-US') === b.trim().toLocaleLowerCase('en-US')
  );
}

/** The ownership of an object as seen by `entityRef`. */
export function ownershipOf(
  obj: KubeObject | undefined,
  entityRef: string,
): ObjectOwnership {
  const owner = annotationOf(obj, ANNOTATION_OWNER_ENTITY)?.trim();
  if (!owner) return { status: 'unstamped' };
  return {
    status: sameEntityRef(owner, entityRef) ? 'owned' : 'conflict',
    owner,
  };
}

/**
 * Why `entityRef` may not change `obj`, or undefined when it may. The write
 * side calls it on the live object right before each change, because the
 * plan that checked the stamps may be minutes old.
 */
export function ownershipRefusal(
  obj: KubeObject | undefined,
  entityRef: string,
  where: { cluster: string; kind: string },
): string | undefined {
  const ownership = ownershipOf(obj, entityRef);
  if (ownership.status === 'owned') return undefined;
  const named = `${where.kind} ${obj?.metadata.namespace ?? '?'}/${
    obj?.metadata.name ?? '?'
  } in ${where.cluster}`;
  if (ownership.status === 'conflict') {
    return `${named} is stamped for ${ownership.owner}, not ${entityRef}; this entity cannot act on it`;
  }
  return `${named} carries no ${ANNOTATION_OWNER_ENTITY} annotation; its owner stamps it with: ${annotateCommand(
    {
      cluster: where.cluster,
      kind: where.kind,
      namespace: obj?.metadata.namespace ?? 'default',
      name: obj?.metadata.name ?? '?',
    },
    entityRef,
  )}`;
}

const KUBECTL_RESOURCE: Record<string, string> = {
  StatefulSet: 'statefulset',
  // `cluster` alone is ambiguous for kubectl once other CRDs name a Cluster.
  Cluster: 'clusters.postgresql.cnpg.io',
  VirtualService: 'virtualservice.networking.istio.io',
  DestinationRule: 'destinationrule.networking.istio.io',
  ServiceExport: 'serviceexport.multicluster.x-k8s.io',
};

/** The `kubectl annotate` command that stamps an object for `entityRef` (run against its cluster). */
export function annotateCommand(
  obj: { cluster?: string; kind: string; namespace: string; name: string },
  entityRef: string,
): string {
  const resource = KUBECTL_RESOURCE[obj.kind] ?? obj.kind.toLowerCase();
  const context = obj.cluster ? ` --context ${obj.cluster}` : '';
  return `kubectl${context} annotate ${resource} ${obj.name} -n ${obj.namespace} ${ANNOTATION_OWNER_ENTITY}=${entityRef}`;
}

/** `cluster/namespace/kind/name`, the way ownership messages name an object. */
export function describeOwnedObject(o: Omit<OwnedObjectRef, 'ownership'>) {
  return `${o.cluster}/${o.namespace}/${o.kind}/${o.name}`;
}

function shortHost(host: string | undefined): string {
  return (host ?? '').split('.')[0];
}

function ref(
  cluster: string,
  kind: string,
  obj: KubeObject,
  entityRef: string,
): OwnedObjectRef {
  return {
    cluster,
    kind,
    namespace: obj.metadata.namespace ?? 'default',
    name: obj.metadata.name,
    ownership: ownershipOf(obj, entityRef),
  };
}

/**
 * The routing objects of one cluster a failover would read or rewrite: for
 * an Istio route, the entity's VirtualService and the DestinationRules that
 * tell its destinations' clusters; for MCS, the ServiceExports.
 */
export function routeObjectsOf(input: {
  cluster: string;
  objects: ClusterObjects;
  policy: EntityPolicy;
  traffic: TrafficSplit;
  entityRef: string;
}): OwnedObjectRef[] {
  const { cluster, objects, policy, traffic, entityRef } = input;
  const out: OwnedObjectRef[] = [];
  if (traffic.routing === 'istio' && policy.traffic) {
    const { namespace, name } = policy.traffic;
    const vs = objects.virtualServices.find(
      o => o.metadata.name === name && o.metadata.namespace === namespace,
    );
    if (!vs) return out;
    out.push(ref(cluster, 'VirtualService', vs, entityRef));
    const hosts = new Set<string>();
    for (const section of ['tcp', 'http'] as const) {
      for (const r of vs.spec?.[section] ?? []) {
        for (const dest of r?.route ?? []) {
          hosts.add(shortHost(dest?.destination?.host));
        }
      }
    }
    for (const dr of objects.destinationRules) {
      if (dr.metadata.namespace !== namespace) continue;
      if (!hosts.has(shortHost(dr.spec?.host))) continue;
      out.push(ref(cluster, 'DestinationRule', dr, entityRef));
    }
  } else if (traffic.routing === 'mcs') {
    for (const e of objects.serviceExports) {
      out.push(ref(cluster, 'ServiceExport', e, entityRef));
    }
  }
  return out;
}

/** The workloads of every cluster as owned-object refs. */
export function workloadObjectsOf(
  clusters: TopologyCluster[],
): OwnedObjectRef[] {
  return clusters.flatMap(c =>
    c.workloads.map(w => ({
      cluster: c.name,
      kind: w.kind,
      namespace: w.namespace,
      name: w.name,
      ownership: w.ownership ?? { status: 'unstamped' as const },
    })),
  );
}

/** Sorts objects into the ones stamped for another entity and the unstamped ones. */
export function summarizeOwnership(
  objects: OwnedObjectRef[],
): OwnershipSummary {
  const conflicts = objects.filter(o => o.ownership.status === 'conflict');
  const unstamped = objects.filter(o => o.ownership.status === 'unstamped');
  let status: OwnershipSummary['status'] = 'owned';
  if (conflicts.length) status = 'conflict';
  else if (unstamped.length) status = 'unstamped';
  return { status, conflicts, unstamped };
}
