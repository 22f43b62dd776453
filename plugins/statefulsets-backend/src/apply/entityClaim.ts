/*
 * Who may apply for an entity ref. The deploy permission lets a user create
 * databases; it does not let them take over one: an entity this route
 * already registered is changed (manifests, owner) only by its owners, and
 * a name the catalog already holds from elsewhere is never registered over.
 */
import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { Entity, parseEntityRef } from '@backstage/catalog-model';
import { ConflictError, NotAllowedError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { sameEntityRef } from '@multicluster/backstage-plugin-statefulsets-common';
import { GeneratedEntity } from './types';

/**
 * What the caller owns: the user's ownership refs (the user and their
 * groups), or `trusted` for a service the platform named as a writer.
 */
export type CallerOwnership = { refs: string[] } | 'trusted';

function ownerOf(entity: Entity | undefined): string | undefined {
  const owner = (entity?.spec as { owner?: unknown } | undefined)?.owner;
  if (typeof owner !== 'string' || !owner) return undefined;
  // spec.owner may be a short ref (`dba`): the catalog reads it as a group
  // in the entity's namespace.
  const ref = parseEntityRef(owner, {
    defaultKind: 'group',
    defaultNamespace: entity?.metadata.namespace ?? 'default',
  });
  return `${ref.kind}:${ref.namespace}/${ref.name}`.toLocaleLowerCase('en-US');
}

function owns(caller: CallerOwnership, owner: string | undefined): boolean {
  if (caller === 'trusted') return true;
  return owner !== undefined && caller.refs.some(r => sameEntityRef(r, owner));
}

/**
 * Throws 403 when the caller may not apply for `entityRef`, 409 when the
 * name is taken in the catalog by an entity this route did not register.
 */
export async function checkEntityClaim(input: {
  entityRef: string;
  catalogInfo?: Entity;
  stored: GeneratedEntity | undefined;
  catalog?: CatalogService;
  credentials?: BackstageCredentials;
  caller: CallerOwnership;
}): Promise<void> {
  const { entityRef, catalogInfo, stored, catalog, credentials, caller } =
    input;
  if (stored) {
    const owner = ownerOf(stored.entity);
    if (!owns(caller, owner)) {
      const change =
        catalogInfo && ownerOf(catalogInfo) !== owner
          ? ` or change its owner to ${ownerOf(catalogInfo)}`
          : '';
      throw new NotAllowedError(
        `${entityRef} is owned by ${
          owner ?? 'nobody'
        }; only its owners may apply to it${change}. Ask a member of ${
          owner ?? 'the platform team'
        } to run the template, or choose another name`,
      );
    }
    return;
  }
  if (!catalog || !credentials) return;
  const existing = await catalog.getEntityByRef(entityRef, { credentials });
  if (!existing) return;
  if (catalogInfo) {
    const origin =
      existing.metadata.annotations?.['backstage.io/managed-by-location'];
    throw new ConflictError(
      `${entityRef} already exists in the catalog${
        origin ? ` (from ${origin})` : ''
      } and was not created by this template; choose another name`,
    );
  }
  // Applying without registering (the entity comes from a repository) is
  // for the owners of the entity the catalog already has.
  const owner = ownerOf(existing);
  if (!owns(caller, owner)) {
    throw new NotAllowedError(
      `${entityRef} is owned by ${
        owner ?? 'nobody'
      }; only its owners may apply manifests for it`,
    );
  }
}
