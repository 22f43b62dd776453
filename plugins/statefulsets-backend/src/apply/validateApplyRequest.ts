/*
 * Checks the body of `POST /apply` before anything reaches a cluster: every
 * problem is an InputError (HTTP 400) whose message starts with the field.
 * The router has already checked the shape against openapi.yaml; what is
 * left is what the document cannot say: configured and duplicate cluster
 * names, the catalog's entity policies, and the normalised entity ref.
 */
import {
  DefaultNamespaceEntityPolicy,
  Entity,
  EntityPolicies,
  FieldFormatEntityPolicy,
  NoForeignRootFieldsEntityPolicy,
  parseEntityRef,
  SchemaValidEntityPolicy,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import { ApplyRequest, ManifestObject } from './types';

function isObject(v: unknown): v is Record<string, any> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The kinds a database entity may have. */
const REGISTRABLE_KINDS = ['Component', 'Resource'];

const ENTITY_REF =
  /^[A-Za-z][A-Za-z0-9-]*:([a-z0-9][a-z0-9.-]*\/)?[A-Za-z0-9][A-Za-z0-9._-]*$/;

const entityPolicy = EntityPolicies.allOf([
  new DefaultNamespaceEntityPolicy(),
  new NoForeignRootFieldsEntityPolicy(),
  new FieldFormatEntityPolicy(),
  new SchemaValidEntityPolicy(),
]);

function validateManifest(value: unknown, field: string): ManifestObject {
  if (!isObject(value)) {
    throw new InputError(`${field}: expected a Kubernetes object`);
  }
  if (typeof value.apiVersion !== 'string' || !value.apiVersion) {
    throw new InputError(`${field}.apiVersion: required string`);
  }
  if (typeof value.kind !== 'string' || !value.kind) {
    throw new InputError(`${field}.kind: required string`);
  }
  if (!isObject(value.metadata) || typeof value.metadata.name !== 'string') {
    throw new InputError(`${field}.metadata.name: required string`);
  }
  if (
    value.metadata.namespace !== undefined &&
    typeof value.metadata.namespace !== 'string'
  ) {
    throw new InputError(`${field}.metadata.namespace: must be a string`);
  }
  return value as ManifestObject;
}

/** Checks the catalog entity: a valid Backstage entity whose ref is the request's. */
export async function validateCatalogInfo(
  value: unknown,
  entityRef: string,
): Promise<Entity> {
  if (!isObject(value)) {
    throw new InputError('catalogInfo: expected a catalog entity object');
  }
  let entity: Entity | undefined;
  try {
    entity = await entityPolicy.enforce(
      JSON.parse(JSON.stringify(value)) as Entity,
    );
  } catch (err) {
    throw new InputError(
      `catalogInfo: not a valid catalog entity: ${(err as Error).message}`,
    );
  }
  if (!entity) {
    throw new InputError('catalogInfo: not a valid catalog entity');
  }
  // The deploy permission lets a user add a database, not users, groups or
  // locations, to the catalog.
  if (!REGISTRABLE_KINDS.includes(entity.kind)) {
    throw new InputError(
      `catalogInfo.kind: must be one of ${REGISTRABLE_KINDS.join(', ')}, not ${
        entity.kind
      }`,
    );
  }
  if (stringifyEntityRef(entity) !== entityRef) {
    throw new InputError(
      `catalogInfo: the entity is ${stringifyEntityRef(
        entity,
      )}, but entityRef is ${entityRef}`,
    );
  }
  return entity;
}

/** Validates a request body against the configured cluster names. */
export async function validateApplyRequest(
  body: unknown,
  knownClusters: string[],
): Promise<ApplyRequest> {
  if (!isObject(body)) {
    throw new InputError('body: expected a JSON object');
  }
  if (typeof body.entityRef !== 'string' || !body.entityRef) {
    throw new InputError(
      'entityRef: required, e.g. component:default/orders-db',
    );
  }
  // parseEntityRef accepts almost anything; the form is checked first.
  if (!ENTITY_REF.test(body.entityRef)) {
    throw new InputError(
      `entityRef: "${body.entityRef}" is not of the form kind:namespace/name`,
    );
  }
  const entityRef = stringifyEntityRef(parseEntityRef(body.entityRef));
  if (body.dryRun !== undefined && typeof body.dryRun !== 'boolean') {
    throw new InputError('dryRun: must be a boolean');
  }
  if (!Array.isArray(body.clusters) || body.clusters.length === 0) {
    throw new InputError('clusters: required, a non-empty array');
  }
  const seen = new Set<string>();
  const clusters = body.clusters.map((c: unknown, i: number) => {
    const field = `clusters[${i}]`;
    if (!isObject(c)) throw new InputError(`${field}: expected an object`);
    if (typeof c.name !== 'string' || !c.name) {
      throw new InputError(`${field}.name: required string`);
    }
    if (!knownClusters.includes(c.name)) {
      throw new InputError(
        `${field}.name: unknown cluster "${
          c.name
        }"; configured clusters: ${knownClusters.join(', ')}`,
      );
    }
    if (seen.has(c.name)) {
      throw new InputError(
        `${field}.name: cluster "${c.name}" is listed twice`,
      );
    }
    seen.add(c.name);
    if (!Array.isArray(c.manifests)) {
      throw new InputError(`${field}.manifests: required array of objects`);
    }
    return {
      name: c.name,
      manifests: c.manifests.map((m: unknown, j: number) =>
        validateManifest(m, `${field}.manifests[${j}]`),
      ),
    };
  });
  const catalogInfo =
    body.catalogInfo === undefined
      ? undefined
      : await validateCatalogInfo(body.catalogInfo, entityRef);
  return {
    entityRef,
    dryRun: body.dryRun ?? false,
    clusters,
    ...(catalogInfo ? { catalogInfo } : {}),
  };
}
