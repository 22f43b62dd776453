/*
 * The legacy discovery documents (`/api`, `/apis`, `/api/v1`,
 * `/apis/<group>/<version>`) derived from the resource registry. Clients that
 * ask for aggregated discovery get these too, with a plain JSON content type,
 * which makes them fall back to legacy discovery as against older servers.
 */
import { ResourceRegistry, ResourceType } from './resources';

const WRITE_VERBS = ['create', 'delete', 'deletecollection', 'patch', 'update'];

function verbsOf(t: ResourceType): string[] {
  if (t.readOnly) return ['get', 'list'];
  if (t.storedAs) return ['create', 'get', 'list', 'watch'];
  return [...WRITE_VERBS, 'get', 'list', 'watch'].sort();
}

/** The preferred (storage) version of a group: the first one registered. */
export function preferredVersion(
  registry: ResourceRegistry,
  group: string,
): string | undefined {
  return registry.groups().get(group)?.[0];
}

/** `/api`. */
export function apiVersions(serverAddress: string): Record<string, unknown> {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  };
}

function groupDoc(group: string, versions: string[]): Record<string, unknown> {
  return {
    name: group,
    versions: versions.map(v => ({
      groupVersion: `${group}/${v}`,
      version: v,
    })),
    preferredVersion: {
      groupVersion: `${group}/${versions[0]}`,
      version: versions[0],
    },
  };
}

/** `/apis`. */
export function apiGroupList(
  registry: ResourceRegistry,
): Record<string, unknown> {
  const groups = [...registry.groups()].filter(([g]) => g !== '');
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: groups.map(([g, vs]) => groupDoc(g, vs)),
  };
}

/** `/apis/<group>`. */
export function apiGroup(
  registry: ResourceRegistry,
  group: string,
): Record<string, unknown> | undefined {
  const vs = registry.groups().get(group);
  if (!vs || group === '') return undefined;
  return { kind: 'APIGroup', apiVersion: 'v1', ...groupDoc(group, vs) };
}

/** `/api/v1` or `/apis/<group>/<version>`. */
export function apiResourceList(
  registry: ResourceRegistry,
  group: string,
  version: string,
): Record<string, unknown> | undefined {
  const types = registry
    .all()
    .filter(t => t.group === group && t.version === version);
  if (types.length === 0) return undefined;
  const resources: Record<string, unknown>[] = [];
  for (const t of types) {
    resources.push({
      name: t.plural,
      singularName: t.singular,
      namespaced: t.namespaced,
      kind: t.kind,
      verbs: verbsOf(t),
      ...(t.shortNames?.length ? { shortNames: t.shortNames } : {}),
      ...(t.categories?.length ? { categories: t.categories } : {}),
      storageVersionHash: Buffer.from(`${t.group}/${t.kind}`)
        .toString('base64')
        .slice(0, 11),
    });
    if (t.statusSubresource) {
      resources.push({
        name: `${t.plural}/status`,
        singularName: '',
        namespaced: t.namespaced,
        kind: t.kind,
        verbs: ['get', 'patch', 'update'],
      });
    }
    if (t.scaleSubresource) {
      resources.push({
        name: `${t.plural}/scale`,
        singularName: '',
        namespaced: t.namespaced,
        group: 'autoscaling',
        version: 'v1',
        kind: 'Scale',
        verbs: ['get', 'patch', 'update'],
      });
    }
  }
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: group ? `${group}/${version}` : version,
    resources,
  };
}
