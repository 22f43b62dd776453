/*
 * Applies one cluster's objects: resolves every kind through the API
 * server's discovery first (a missing CRD fails the cluster before anything
 * is written), makes sure the namespaces exist, then server-side-applies each
 * object in order and tells created, configured and unchanged apart.
 */
import { ApplyClusterClient } from './ApplyClusterClient';
import {
  ClusterApplyResult,
  ManifestObject,
  ObjectAction,
  ObjectResult,
} from './types';

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

/** Applies the objects to one cluster; never throws, a failure is the cluster's result. */
export async function applyToCluster(
  client: ApplyClusterClient,
  manifests: ManifestObject[],
  options: { dryRun: boolean },
): Promise<ClusterApplyResult> {
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
    const namespaces = [
      ...new Set(
        manifests
          .filter(m => served.get(`${m.apiVersion}/${m.kind}`)!.namespaced)
          .map(m => m.metadata.namespace ?? 'default'),
      ),
    ].filter(
      ns =>
        !manifests.some(m => m.kind === 'Namespace' && m.metadata.name === ns),
    );
    // Namespaces that cannot exist in a dry run: their objects are new by
    // definition, and a dry-run apply into them would be refused.
    const absentInDryRun = new Set<string>();
    for (const ns of namespaces) {
      const nsObject: ManifestObject = {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: ns },
      };
      const path = objectPath(nsObject, nsKind, undefined);
      const existing = await client.get(path);
      if (existing) continue;
      if (options.dryRun) absentInDryRun.add(ns);
      else await client.apply(path, nsObject, { dryRun: false });
      objects.push({ kind: 'Namespace', name: ns, action: 'created' });
    }
    for (const m of manifests) {
      const kind = served.get(`${m.apiVersion}/${m.kind}`)!;
      const namespace = kind.namespaced
        ? m.metadata.namespace ?? 'default'
        : undefined;
      const path = objectPath(m, kind, namespace);
      const body = namespace
        ? { ...m, metadata: { ...m.metadata, namespace } }
        : m;
      const entry = {
        kind: m.kind,
        name: m.metadata.name,
        ...(namespace ? { namespace } : {}),
      };
      if (namespace && absentInDryRun.has(namespace)) {
        objects.push({ ...entry, action: 'created' });
        continue;
      }
      try {
        const before = await client.get(path);
        const after = await client.apply(path, body, options);
        objects.push({
          ...entry,
          action: classifyApply(before, after, options.dryRun),
        });
      } catch (err) {
        throw new Error(
          `${m.kind} ${namespace ? `${namespace}/` : ''}${
            m.metadata.name
          }: ${describeError(err)}`,
          { cause: err },
        );
      }
    }
    return { cluster, status: 'ok', objects };
  } catch (err) {
    return { cluster, status: 'failed', objects, error: describeError(err) };
  }
}
