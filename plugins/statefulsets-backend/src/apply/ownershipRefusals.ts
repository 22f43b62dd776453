/*
 * The ownership rules of an apply: an object, a namespace or a referenced
 * Secret, ConfigMap or claim that belongs to another entity (or to nobody
 * the product knows) refuses the whole cluster's apply. Only owner stamps
 * are read, never content.
 */
import {
  ANNOTATION_OWNER_ENTITY,
  ownershipOf,
} from '@multicluster/backstage-plugin-statefulsets-common';
import { resourcePath } from '../cluster/resourcePaths';
import { ApplyClusterClient } from './ApplyClusterClient';
import { ReferencedObject, referencedObjects } from './referencedObjects';
import { ManifestObject, RefusedObject } from './types';

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

/** Why `entityRef` may not write over `existing`, or undefined when it may. */
export function refusalOf(
  existing: any,
  entityRef: string,
): string | undefined {
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
export function namespaceRefusal(
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

/** The core resources a pod may read, by kind. */
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
export async function referenceRefusals(
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
            resourcePath({
              apiVersion: 'v1',
              plural: REFERENCED_PLURAL[ref.kind],
              namespace,
              name: ref.name,
            }),
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
