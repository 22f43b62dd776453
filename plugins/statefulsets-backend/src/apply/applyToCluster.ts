/*
 * Applies one cluster's objects: resolves every kind through the API
 * server's discovery first (a missing CRD fails the cluster before anything
 * is written), checks that the namespace and every object are absent or the
 * entity's own, makes sure the namespace exists, then server-side-applies
 * each object, stamped for the entity, in order and tells created,
 * configured and unchanged apart.
 */
import {
  ANNOTATION_OWNER_ENTITY,
  ownershipOf,
} from '@multicluster/backstage-plugin-statefulsets-common';
import { ApplyClusterClient } from './ApplyClusterClient';
import {
  ClusterApplyResult,
  ManifestObject,
  ObjectAction,
  ObjectResult,
  RefusedObject,
} from './types';
import { ReferencedObject, referencedObjects } from './manifestRules';

/** How a kind is served: its plural resource name and whether it is namespaced. */
interface ServedKind {
  plural: string;
  namespaced: boolean;
}

function apiBase(apiVersion: string): string {
  return apiVersion.includes('/')
    ? `/apis/${apiVersion}`
    : `/api/${apiVersion}`;
}

/** The path of an object given how its kind is served. */
function objectPath(
  object: ManifestObject,
  served: ServedKind,
  namespace: string | undefined,
): string {
  const ns = served.namespaced
    ? `/namespaces/${encodeURIComponent(namespace!)}`
    : '';
  return `${apiBase(object.apiVersion)}${ns}/${
    served.plural
  }/${encodeURIComponent(object.metadata.name)}`;
}

/** Resolves kinds through discovery, one request per group version. */
async function resolveKinds(
  client: ApplyClusterClient,
  manifests: ManifestObject[],
): Promise<{ served: Map<string, ServedKind>; missing: string[] }> {
  const served = new Map<string, ServedKind>();
  const missing = new Set<string>();
  const groupVersions = [...new Set(manifests.map(m => m.apiVersion))];
  const lists = new Map<string, any>();
  for (const gv of groupVersions) {
    lists.set(gv, await client.get(apiBase(gv)));
  }
  for (const m of manifests) {
    const key = `${m.apiVersion}/${m.kind}`;
    if (served.has(key)) continue;
    const resources: any[] = lists.get(m.apiVersion)?.resources ?? [];
    const hit = resources.find(
      r => r.kind === m.kind && !String(r.name).includes('/'),
    );
    if (hit) {
      served.set(key, {
        plural: hit.name,
        namespaced: Boolean(hit.namespaced),
      });
    } else {
      missing.add(
        m.apiVersion.includes('/')
          ? `${m.kind} (${m.apiVersion})`
          : `${m.kind} (core ${m.apiVersion})`,
      );
    }
  }
  return { served, missing: [...missing] };
}

/** Metadata fields the API server owns; they never make an object "changed". */
const SERVER_METADATA = [
  'resourceVersion',
  'generation',
  'managedFields',
  'uid',
  'creationTimestamp',
  'selfLink',
];

function comparable(object: any): string {
  const { status: _status, metadata, ...rest } = object ?? {};
  const meta = { ...(metadata ?? {}) };
  for (const key of SERVER_METADATA) delete meta[key];
  return JSON.stringify(sortKeys({ ...rest, metadata: meta }));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value as object)
        .sort()
        .map(k => [k, sortKeys((value as any)[k])]),
    );
  }
  return value;
}

/**
 * Decides what an apply did. A real apply that changes nothing keeps the
 * resourceVersion; a dry run never bumps it, and controllers may bump it
 * through status writes, so the content (status and server-owned metadata
 * left out) decides whenever the version alone cannot.
 */
export function classifyApply(
  before: any,
  after: any,
  dryRun: boolean,
): ObjectAction {
  if (!before) return 'created';
  const sameVersion =
    before.metadata?.resourceVersion === after?.metadata?.resourceVersion;
  if (sameVersion && !dryRun) return 'unchanged';
  return comparable(before) === comparable(after) ? 'unchanged' : 'configured';
}

/** Stands for any Namespace when resolving kinds. */
const NAMESPACE_KIND: ManifestObject = {
  apiVersion: 'v1',
  kind: 'Namespace',
  metadata: { name: 'any' },
};

function describeError(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The object with the owner-entity annotation set to `entityRef`. */
export function stampOwner(
  m: ManifestObject,
  entityRef: string,
): ManifestObject {
  const annotations = (m.metadata.annotations ?? {}) as Record<string, string>;
  return {
    ...m,
    metadata: {
      ...m.metadata,
      annotations: { ...annotations, [ANNOTATION_OWNER_ENTITY]: entityRef },
    },
  };
}

function describeObject(o: { kind: string; namespace?: string; name: string }) {
  return `${o.kind} ${o.namespace ? `${o.namespace}/` : ''}${o.name}`;
}

/** Why `entityRef` may not write over `existing`, or undefined when it may. */
function refusalOf(existing: any, entityRef: string): string | undefined {
  const ownership = ownershipOf(existing, entityRef);
  if (ownership.status === 'owned') return undefined;
  if (ownership.status === 'conflict') {
    return `exists and belongs to ${ownership.owner}; only that entity's applies may change it`;
  }
  return `exists and was not created by this product (no ${ANNOTATION_OWNER_ENTITY} annotation); choose another name, or have its owner stamp it for ${entityRef}`;
}

/**
 * The namespace rule: a namespace stamped for another entity is that
 * entity's. A namespace without a stamp (created by hand, like the demo's
 * `databases`) is shared: each object in it is guarded by its own stamp.
 */
function namespaceRefusal(
  namespace: string,
  existing: any,
  entityRef: string,
): RefusedObject | undefined {
  const ownership = ownershipOf(existing, entityRef);
  if (ownership.status !== 'conflict') return undefined;
  return {
    kind: 'Namespace',
    name: namespace,
    reason: `belongs to ${ownership.owner}; choose a namespace of this database's own`,
  };
}

const REFERENCED_PLURAL: Record<ReferencedObject['kind'], string> = {
  Secret: 'secrets',
  ConfigMap: 'configmaps',
  PersistentVolumeClaim: 'persistentvolumeclaims',
};

/**
 * In a shared namespace a pod may mount anything of its namespace: a
 * manifest that reads a Secret, ConfigMap or claim stamped for another
 * entity is refused. Only the stamp is read, never the content.
 */
async function referenceRefusals(
  client: ApplyClusterClient,
  manifests: ManifestObject[],
  namespace: string,
  entityRef: string,
): Promise<RefusedObject[]> {
  const own = new Set(manifests.map(m => `${m.kind}/${m.metadata.name}`));
  const refused: RefusedObject[] = [];
  const seen = new Map<string, any>();
  for (const m of manifests) {
    for (const ref of referencedObjects(m.spec)) {
      const key = `${ref.kind}/${ref.name}`;
      if (own.has(key)) continue;
      if (!seen.has(key)) {
        seen.set(
          key,
          await client.get(
            `/api/v1/namespaces/${encodeURIComponent(namespace)}/${
              REFERENCED_PLURAL[ref.kind]
            }/${encodeURIComponent(ref.name)}`,
          ),
        );
      }
      const live = seen.get(key);
      const ownership = ownershipOf(live, entityRef);
      if (ownership.status === 'conflict') {
        refused.push({
          kind: m.kind,
          name: m.metadata.name,
          namespace,
          reason: `refers to ${ref.kind} ${namespace}/${ref.name}, which belongs to ${ownership.owner}; a database reads only its own Secrets, ConfigMaps and claims`,
        });
      } else if (live && ownership.status === 'unstamped') {
        // A Secret someone created by hand in a shared namespace is no less
        // someone else's for carrying no stamp: its owner stamps it first.
        refused.push({
          kind: m.kind,
          name: m.metadata.name,
          namespace,
          reason: `refers to ${ref.kind} ${namespace}/${
            ref.name
          }, which exists without an owner stamp; a database reads only its own Secrets, ConfigMaps and claims. If it is this database's, its owner stamps it: kubectl annotate ${ref.kind.toLowerCase()} ${
            ref.name
          } -n ${namespace} ${ANNOTATION_OWNER_ENTITY}=${entityRef}`,
        });
      }
    }
  }
  return refused;
}

/**
 * Applies one entity's objects to one cluster; never throws, a failure is
 * the cluster's result. Every object is stamped for `entityRef` and read
 * first: if any of them (or the namespace) belongs to someone else, nothing
 * is written in this cluster.
 */
export async function applyToCluster(
  client: ApplyClusterClient,
  manifests: ManifestObject[],
  options: { dryRun: boolean; entityRef: string },
): Promise<ClusterApplyResult> {
  const { dryRun, entityRef } = options;
  const objects: ObjectResult[] = [];
  const cluster = client.cluster;
  try {
    // Namespaces are resolved with the rest: missing ones are created below.
    const { served, missing } = await resolveKinds(client, [
      NAMESPACE_KIND,
      ...manifests,
    ]);
    if (missing.length > 0) {
      return {
        cluster,
        status: 'failed',
        objects,
        error: `missing CRD in ${cluster}: ${missing.join(
          ', ',
        )} is not served by the API server; install its CustomResourceDefinition first`,
      };
    }
    const nsKind = served.get('v1/Namespace')!;
    const servedOf = (m: ManifestObject) =>
      served.get(`${m.apiVersion}/${m.kind}`)!;
    const stamped = manifests.map(m => stampOwner(m, entityRef));

    // Check everything before writing anything.
    const refused: RefusedObject[] = [];
    const namespaced = stamped.filter(m => servedOf(m).namespaced);
    const namespaces = [
      ...new Set(namespaced.map(m => m.metadata.namespace ?? 'default')),
    ].filter(
      ns =>
        !stamped.some(m => m.kind === 'Namespace' && m.metadata.name === ns),
    );
    const absentNamespaces: string[] = [];
    for (const ns of namespaces) {
      const path = objectPath(
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } },
        nsKind,
        undefined,
      );
      const existing = await client.get(path);
      if (!existing) {
        absentNamespaces.push(ns);
        continue;
      }
      const refusal = namespaceRefusal(ns, existing, entityRef);
      if (refusal) refused.push(refusal);
      refused.push(
        ...(await referenceRefusals(
          client,
          namespaced.filter(m => m.metadata.namespace === ns),
          ns,
          entityRef,
        )),
      );
    }
    const plan: Array<{
      body: ManifestObject;
      path: string;
      entry: Omit<ObjectResult, 'action'>;
      before: any;
    }> = [];
    for (const m of stamped) {
      const kind = servedOf(m);
      const namespace = kind.namespaced
        ? m.metadata.namespace ?? 'default'
        : undefined;
      const path = objectPath(m, kind, namespace);
      const entry = {
        kind: m.kind,
        name: m.metadata.name,
        ...(namespace ? { namespace } : {}),
      };
      const before =
        namespace && absentNamespaces.includes(namespace)
          ? undefined
          : await client.get(path);
      const refusal = before && refusalOf(before, entityRef);
      if (refusal) {
        refused.push({ ...entry, reason: refusal });
        continue;
      }
      const body = namespace
        ? { ...m, metadata: { ...m.metadata, namespace } }
        : m;
      plan.push({ body, path, entry, before });
    }
    if (refused.length > 0) {
      return {
        cluster,
        status: 'failed',
        objects,
        refused,
        error: `nothing was applied in ${cluster}: ${refused
          .map(r => `${describeObject(r)} ${r.reason}`)
          .join('; ')}`,
      };
    }

    // A dry run cannot apply into a namespace that does not exist: its
    // objects are new by definition.
    for (const ns of absentNamespaces) {
      const nsObject = stampOwner(
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } },
        entityRef,
      );
      if (!dryRun) {
        await client.apply(objectPath(nsObject, nsKind, undefined), nsObject, {
          dryRun: false,
        });
      }
      objects.push({ kind: 'Namespace', name: ns, action: 'created' });
    }
    for (const { body, path, entry, before } of plan) {
      if (entry.namespace && absentNamespaces.includes(entry.namespace)) {
        if (dryRun) {
          objects.push({ ...entry, action: 'created' });
          continue;
        }
      }
      try {
        // Forcing is for fields of our own objects that another manager
        // (an operator, a hand edit) took; a new object never needs it.
        const after = await client.apply(path, body, {
          dryRun,
          force: Boolean(before),
        });
        objects.push({
          ...entry,
          action: classifyApply(before, after, dryRun),
        });
      } catch (err) {
        throw new Error(`${describeObject(entry)}: ${describeError(err)}`, {
          cause: err,
        });
      }
    }
    return { cluster, status: 'ok', objects };
  } catch (err) {
    return { cluster, status: 'failed', objects, error: describeError(err) };
  }
}
