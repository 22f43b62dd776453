/*
 * Applies one cluster's objects: resolves every kind through the API
 * server's discovery first (a missing CRD fails the cluster before anything
 * is written), checks that the namespace and every object are absent or the
 * entity's own, makes sure the namespace exists, then server-side-applies
 * each object, stamped for the entity, in order and tells created,
 * configured and unchanged apart.
 */
import { ApplyClusterClient } from './ApplyClusterClient';
import { classifyApply } from './classifyApply';
import {
  namespaceRefusal,
  referenceRefusals,
  refusalOf,
  stampOwner,
} from './ownershipRefusals';
import { objectPath, resolveKinds } from './servedKinds';
import {
  ClusterApplyResult,
  ManifestObject,
  ObjectResult,
  RefusedObject,
} from './types';

/** Stands for any Namespace when resolving kinds. */
const NAMESPACE_KIND: ManifestObject = {
  apiVersion: 'v1',
  kind: 'Namespace',
  metadata: { name: 'any' },
};

function describeError(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function describeObject(o: { kind: string; namespace?: string; name: string }) {
  return `${o.kind} ${o.namespace ? `${o.namespace}/` : ''}${o.name}`;
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
          action: classifyApply(before, after, dryRun, body),
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
