/*
 * OpenAPI documents for the served kinds: `/openapi/v3` (the index and one
 * document per group-version) and a JSON `/openapi/v2`. kubectl reads v3 to
 * learn that the server validates fields itself (`fieldValidation` on PATCH)
 * and to explain kinds; the patch content types deliberately omit strategic
 * merge so kubectl computes client-side patches from its compiled-in types.
 */
import { createHash } from 'node:crypto';
import { ResourceRegistry, ResourceType, apiVersionOf } from './resources';
import { schemaOf } from './validation';

/** The component name of a kind (`io.k8s.api.apps.v1.StatefulSet`). */
export function definitionName(t: {
  group: string;
  version: string;
  kind: string;
}): string {
  if (t.group === '') return `io.k8s.api.core.${t.version}.${t.kind}`;
  if (t.group.endsWith('.k8s.io')) {
    const g = t.group.slice(0, -'.k8s.io'.length);
    return `io.k8s.api.${g}.${t.version}.${t.kind}`;
  }
  if (!t.group.includes('.'))
    return `io.k8s.api.${t.group}.${t.version}.${t.kind}`;
  return `${t.group.split('.').reverse().join('.')}.${t.version}.${t.kind}`;
}

/** `api/v1` or `apis/<group>/<version>`, the v3 document keys. */
export function gvPath(group: string, version: string): string {
  return group ? `apis/${group}/${version}` : `api/${version}`;
}

function param(
  name: string,
  description: string,
  type = 'string',
): Record<string, unknown> {
  return {
    name,
    in: 'query',
    description,
    schema: { type },
    uniqueItems: true,
  };
}

const writeParams = [
  param(
    'dryRun',
    'When present, indicates that modifications should not be persisted.',
  ),
  param(
    'fieldManager',
    'fieldManager is a name associated with the actor or entity that is making these changes.',
  ),
  param(
    'fieldValidation',
    'Ignore, Warn or Strict: how to handle unknown or duplicate fields.',
  ),
];

function gvk(t: ResourceType): Record<string, string> {
  return { group: t.group, version: t.version, kind: t.kind };
}

function ref(t: ResourceType): Record<string, string> {
  return { $ref: `#/components/schemas/${definitionName(t)}` };
}

function itemOps(t: ResourceType, sub: string): Record<string, unknown> {
  const content = (schema: unknown) => ({ 'application/json': { schema } });
  const kindExt =
    sub === 'scale'
      ? { group: 'autoscaling', version: 'v1', kind: 'Scale' }
      : gvk(t);
  const base = (action: string, verb: string) => ({
    operationId: `${verb}${t.kind}${
      sub ? sub[0].toUpperCase() + sub.slice(1) : ''
    }`,
    'x-kubernetes-action': action,
    'x-kubernetes-group-version-kind': kindExt,
    responses: { '200': { description: 'OK', content: content(ref(t)) } },
  });
  const ops: Record<string, unknown> = {
    get: base('get', 'read'),
    put: {
      ...base('put', 'replace'),
      parameters: writeParams,
      requestBody: { required: true, content: { '*/*': { schema: ref(t) } } },
    },
    patch: {
      ...base('patch', 'patch'),
      parameters: [
        ...writeParams,
        param('force', 'Force is going to "force" Apply requests.', 'boolean'),
      ],
      requestBody: {
        required: true,
        content: {
          'application/apply-patch+yaml': { schema: { type: 'object' } },
          'application/json-patch+json': { schema: { type: 'object' } },
          'application/merge-patch+json': { schema: { type: 'object' } },
        },
      },
    },
  };
  if (!sub) {
    ops.delete = {
      ...base('delete', 'delete'),
      parameters: [
        param('dryRun', 'dry run'),
        param('propagationPolicy', 'propagation'),
      ],
    };
  }
  return ops;
}

function collectionOps(
  t: ResourceType,
  namespacedPath: boolean,
): Record<string, unknown> {
  const list = {
    operationId: `list${t.kind}`,
    'x-kubernetes-action': 'list',
    'x-kubernetes-group-version-kind': gvk(t),
    parameters: [
      'labelSelector',
      'fieldSelector',
      'limit',
      'continue',
      'resourceVersion',
      'watch',
      'timeoutSeconds',
      'allowWatchBookmarks',
    ].map(n => param(n, n)),
    responses: { '200': { description: 'OK' } },
  };
  if (!namespacedPath && t.namespaced) return { get: list };
  return {
    get: list,
    post: {
      operationId: `create${t.kind}`,
      'x-kubernetes-action': 'post',
      'x-kubernetes-group-version-kind': gvk(t),
      parameters: writeParams,
      requestBody: { required: true, content: { '*/*': { schema: ref(t) } } },
      responses: { '201': { description: 'Created' } },
    },
    delete: {
      operationId: `deleteCollection${t.kind}`,
      'x-kubernetes-action': 'deletecollection',
      'x-kubernetes-group-version-kind': gvk(t),
      responses: { '200': { description: 'OK' } },
    },
  };
}

function pathsOf(t: ResourceType): Record<string, unknown> {
  const root = `/${gvPath(t.group, t.version)}`;
  const coll = t.namespaced
    ? `${root}/namespaces/{namespace}/${t.plural}`
    : `${root}/${t.plural}`;
  const paths: Record<string, unknown> = {};
  const nsParam = t.namespaced
    ? [
        {
          name: 'namespace',
          in: 'path',
          required: true,
          schema: { type: 'string' },
        },
      ]
    : [];
  const nameParam = {
    name: 'name',
    in: 'path',
    required: true,
    schema: { type: 'string' },
  };
  if (t.readOnly) {
    paths[coll] = {
      get: (collectionOps(t, true) as any).get,
      parameters: nsParam,
    };
    return paths;
  }
  paths[coll] = { ...collectionOps(t, true), parameters: nsParam };
  if (t.namespaced) paths[`${root}/${t.plural}`] = collectionOps(t, false);
  paths[`${coll}/{name}`] = {
    ...itemOps(t, ''),
    parameters: [nameParam, ...nsParam],
  };
  if (t.statusSubresource)
    paths[`${coll}/{name}/status`] = {
      ...itemOps(t, 'status'),
      parameters: [nameParam, ...nsParam],
    };
  if (t.scaleSubresource)
    paths[`${coll}/{name}/scale`] = {
      ...itemOps(t, 'scale'),
      parameters: [nameParam, ...nsParam],
    };
  return paths;
}

function componentOf(t: ResourceType): Record<string, unknown> {
  const schema = schemaOf(t) ?? {
    type: 'object',
    'x-kubernetes-preserve-unknown-fields': true,
  };
  return {
    ...schema,
    'x-kubernetes-group-version-kind': [gvk(t)],
  };
}

/** The OpenAPI v3 document of one group-version, or undefined when not served. */
export function openApiV3Document(
  registry: ResourceRegistry,
  group: string,
  version: string,
): Record<string, unknown> | undefined {
  const types = registry
    .all()
    .filter(t => t.group === group && t.version === version);
  if (types.length === 0) return undefined;
  const paths: Record<string, unknown> = {};
  const schemas: Record<string, unknown> = {};
  for (const t of types) {
    Object.assign(paths, pathsOf(t));
    schemas[definitionName(t)] = componentOf(t);
  }
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: 'v1.35.0' },
    paths,
    components: { schemas },
  };
}

/** The `/openapi/v3` index: one entry per group-version with a content hash. */
export function openApiV3Index(
  registry: ResourceRegistry,
): Record<string, unknown> {
  const paths: Record<string, unknown> = {};
  for (const [group, versions] of registry.groups()) {
    for (const v of versions) {
      const doc = openApiV3Document(registry, group, v);
      const hash = createHash('sha512')
        .update(JSON.stringify(doc))
        .digest('hex')
        .slice(0, 128)
        .toUpperCase();
      paths[gvPath(group, v)] = {
        serverRelativeURL: `/openapi/v3/${gvPath(group, v)}?hash=${hash}`,
      };
    }
  }
  return { paths };
}

/** A Swagger 2.0 document of every served kind (JSON form only). */
export function openApiV2Document(
  registry: ResourceRegistry,
): Record<string, unknown> {
  const definitions: Record<string, unknown> = {};
  const paths: Record<string, unknown> = {};
  for (const t of registry.all()) {
    definitions[definitionName(t)] = componentOf(t);
    const root = `/${gvPath(t.group, t.version)}`;
    paths[
      t.namespaced
        ? `${root}/namespaces/{namespace}/${t.plural}`
        : `${root}/${t.plural}`
    ] = {
      get: {
        operationId: `list${t.kind}`,
        'x-kubernetes-group-version-kind': gvk(t),
      },
    };
  }
  return {
    swagger: '2.0',
    info: { title: 'Kubernetes', version: 'v1.35.0' },
    paths,
    definitions,
    'x-simulator-api-versions': [...new Set(registry.all().map(apiVersionOf))],
  };
}
