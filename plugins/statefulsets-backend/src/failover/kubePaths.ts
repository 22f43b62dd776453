/*
 * API paths of the objects the failover engine reads and writes. The
 * polling helpers its waits share live in -node (failover/polling.ts).
 */
import { InputError } from '@backstage/errors';
import { ResourceRef } from '@multicluster/backstage-plugin-statefulsets-node';
import { kindSpecOf } from '../cluster/kinds';
import { resourcePath } from '../cluster/resourcePaths';

/**
 * The path of a namespaced object the topology knows the kind of (of its
 * collection when no name is given); the plural comes from the kinds table,
 * never from guessing at English.
 */
export function objectPath(ref: ResourceRef): string {
  const spec = kindSpecOf(ref.apiVersion, ref.kind);
  if (!spec || spec.clusterScoped) {
    throw new InputError(
      `No API path is known for ${ref.apiVersion} ${ref.kind}: the failover acts on StatefulSets, CloudNativePG Clusters and their routes`,
    );
  }
  return resourcePath({
    apiVersion: ref.apiVersion,
    plural: spec.plural,
    namespace: ref.namespace,
    name: ref.name,
  });
}
