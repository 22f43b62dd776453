/*
 * A minimal Kubernetes RBAC authorizer for the simulated clusters: the
 * request attributes kube-apiserver derives from a URL, the evaluation of
 * Roles, ClusterRoles and their bindings for those attributes, impersonation,
 * and the Forbidden messages in kube-apiserver's words. It is pure: the
 * server hands it the identity and the stored RBAC objects.
 */
import type { KubeObject } from '../controllers/types';
import { boolParam } from '../api/queryParams';

/** Who a request acts as. */
export interface Identity {
  user: string;
  groups: string[];
}

/** What a request does, as RBAC sees it (kube-apiserver's RequestInfo). */
export interface RequestAttributes {
  verb: string;
  /** False for discovery, OpenAPI and other non-resource paths. */
  resourceRequest: boolean;
  apiGroup: string;
  resource: string;
  subresource?: string;
  namespace?: string;
  name?: string;
}

/** The RBAC objects of one cluster. */
export interface RbacObjects {
  roles: readonly KubeObject[];
  clusterRoles: readonly KubeObject[];
  roleBindings: readonly KubeObject[];
  clusterRoleBindings: readonly KubeObject[];
}

/** The group that bypasses authorization, as in kube-apiserver. */
export const MASTERS_GROUP = 'system:masters';
const AUTHENTICATED_GROUP = 'system:authenticated';
// kube-apiserver treats these as parts of the namespace, not resources.
const NAMESPACE_SUBRESOURCES = new Set(['status', 'finalize']);

const STREAMING_SUBRESOURCES = new Set(['exec', 'attach', 'portforward']);

const VERB_OF_METHOD: Record<string, string> = {
  POST: 'create',
  PUT: 'update',
  PATCH: 'patch',
  DELETE: 'delete',
};

/** Derives the RBAC attributes of a request the way kube-apiserver does. */
export function requestAttributes(method: string, url: URL): RequestAttributes {
  const parts = url.pathname.split('/').filter(Boolean);
  const upper = method.toUpperCase();
  const nonResource: RequestAttributes = {
    verb: upper === 'GET' || upper === 'HEAD' ? 'get' : upper.toLowerCase(),
    resourceRequest: false,
    apiGroup: '',
    resource: '',
  };
  let rest: string[];
  let apiGroup: string;
  if (parts[0] === 'api' && parts.length >= 3) {
    apiGroup = '';
    rest = parts.slice(2);
  } else if (parts[0] === 'apis' && parts.length >= 4) {
    apiGroup = parts[1];
    rest = parts.slice(3);
  } else {
    return nonResource;
  }
  let watchPath = false;
  if (rest[0] === 'watch') {
    watchPath = true;
    rest = rest.slice(1);
  }
  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length > 1) {
    namespace = rest[1];
    if (rest.length > 2 && !NAMESPACE_SUBRESOURCES.has(rest[2])) {
      rest = rest.slice(2);
    }
  }
  const resource = rest[0];
  let name = rest[1];
  const subresource = rest[2];
  if (resource === 'namespaces' && namespace !== undefined && !name) {
    // `/api/v1/namespaces/x` names the namespace object itself.
    name = namespace;
  }
  // Every spelling strconv.ParseBool accepts; a bad one is the handler's 400.
  let watchParam = false;
  try {
    watchParam = boolParam(url, 'watch');
  } catch {
    watchParam = false;
  }
  let verb: string;
  if (
    apiGroup === '' &&
    resource === 'pods' &&
    STREAMING_SUBRESOURCES.has(subresource ?? '')
  ) {
    // A WebSocket upgrade is a GET, yet it opens a session: `create`, as
    // kube-apiserver asks since 1.30.
    verb = 'create';
  } else if (upper === 'GET' || upper === 'HEAD') {
    if (watchPath || watchParam) verb = 'watch';
    else verb = name === undefined ? 'list' : 'get';
  } else if (upper === 'DELETE' && name === undefined) {
    verb = 'deletecollection';
  } else {
    verb = VERB_OF_METHOD[upper] ?? upper.toLowerCase();
  }
  return {
    verb,
    resourceRequest: true,
    apiGroup,
    resource,
    subresource,
    namespace,
    name,
  };
}

function covers(list: unknown, value: string): boolean {
  return Array.isArray(list) && (list.includes('*') || list.includes(value));
}

function resourceCovered(rule: any, attrs: RequestAttributes): boolean {
  const resources: unknown[] = Array.isArray(rule.resources)
    ? rule.resources
    : [];
  const full = attrs.subresource
    ? `${attrs.resource}/${attrs.subresource}`
    : attrs.resource;
  return resources.some(
    r =>
      r === '*' ||
      r === full ||
      (attrs.subresource !== undefined &&
        (r === `*/${attrs.subresource}` || r === `${attrs.resource}/*`)),
  );
}

/** Whether one PolicyRule allows the request. */
export function ruleAllows(rule: any, attrs: RequestAttributes): boolean {
  if (!rule || typeof rule !== 'object') return false;
  if (!covers(rule.verbs, attrs.verb)) return false;
  if (!attrs.resourceRequest) return false;
  if (!covers(rule.apiGroups, attrs.apiGroup)) return false;
  if (!resourceCovered(rule, attrs)) return false;
  const names: unknown[] = Array.isArray(rule.resourceNames)
    ? rule.resourceNames
    : [];
  if (names.length === 0) return true;
  // A rule naming objects never allows requests that name none (list, create).
  return attrs.name !== undefined && names.includes(attrs.name);
}

function subjectMatches(subject: any, identity: Identity): boolean {
  if (!subject || typeof subject !== 'object') return false;
  if (subject.kind === 'User') return subject.name === identity.user;
  if (subject.kind === 'Group') return identity.groups.includes(subject.name);
  if (subject.kind === 'ServiceAccount') {
    return (
      identity.user ===
      `system:serviceaccount:${subject.namespace}:${subject.name}`
    );
  }
  return false;
}

function bound(binding: KubeObject, identity: Identity): boolean {
  const subjects = (binding as any).subjects;
  return (
    Array.isArray(subjects) && subjects.some(s => subjectMatches(s, identity))
  );
}

function find(
  objects: readonly KubeObject[],
  name: string,
  namespace?: string,
): KubeObject | undefined {
  for (const o of objects) {
    if (
      o.metadata?.name === name &&
      (namespace === undefined || o.metadata?.namespace === namespace)
    ) {
      return o;
    }
  }
  return undefined;
}

function rulesOf(role: KubeObject | undefined): any[] {
  const rules = (role as any)?.rules;
  return Array.isArray(rules) ? rules : [];
}

/** The identity with the groups every authenticated user has. */
export function withAuthenticated(identity: Identity): Identity {
  return identity.groups.includes(AUTHENTICATED_GROUP)
    ? identity
    : { ...identity, groups: [...identity.groups, AUTHENTICATED_GROUP] };
}

/** Whether the bindings give the identity a rule that allows the request. */
export function isAllowed(
  rawIdentity: Identity,
  attrs: RequestAttributes,
  objects: RbacObjects,
): boolean {
  const identity = withAuthenticated(rawIdentity);
  if (identity.groups.includes(MASTERS_GROUP)) return true;
  // Discovery and OpenAPI are open to every authenticated user (system:discovery).
  if (!attrs.resourceRequest) return attrs.verb === 'get';
  for (const b of objects.clusterRoleBindings) {
    if (!bound(b, identity)) continue;
    const ref = (b as any).roleRef;
    if (ref?.kind !== 'ClusterRole') continue;
    const role = find(objects.clusterRoles, ref.name);
    if (rulesOf(role).some(r => ruleAllows(r, attrs))) return true;
  }
  if (attrs.namespace === undefined) return false;
  for (const b of objects.roleBindings) {
    if (b.metadata?.namespace !== attrs.namespace || !bound(b, identity)) {
      continue;
    }
    const ref = (b as any).roleRef;
    let role: KubeObject | undefined;
    if (ref?.kind === 'Role') {
      role = find(objects.roles, ref.name, attrs.namespace);
    } else if (ref?.kind === 'ClusterRole') {
      role = find(objects.clusterRoles, ref.name);
    }
    if (rulesOf(role).some(r => ruleAllows(r, attrs))) return true;
  }
  return false;
}

/** kube-apiserver's Forbidden message for a refused request. */
export function forbiddenMessage(
  identity: Identity,
  attrs: RequestAttributes,
): string {
  if (!attrs.resourceRequest) {
    return `forbidden: User "${identity.user}" cannot ${attrs.verb} path`;
  }
  const qualified = attrs.apiGroup
    ? `${attrs.resource}.${attrs.apiGroup}`
    : attrs.resource;
  const object = attrs.name ? `${qualified} "${attrs.name}"` : qualified;
  const resource = attrs.subresource
    ? `${attrs.resource}/${attrs.subresource}`
    : attrs.resource;
  const scope = attrs.namespace
    ? `in the namespace "${attrs.namespace}"`
    : 'at the cluster scope';
  return `${object} is forbidden: User "${identity.user}" cannot ${attrs.verb} resource "${resource}" in API group "${attrs.apiGroup}" ${scope}`;
}

/** The outcome of authorizing one request, impersonation included. */
export type Decision =
  | { allowed: true; identity: Identity }
  | {
      allowed: false;
      code: 400 | 403;
      message: string;
      details?: { name?: string; group: string; kind: string };
    };

/**
 * Authorizes a request: first the authenticated identity's right to
 * impersonate what the headers ask for, then the request itself as the
 * effective identity.
 */
export function authorizeRequest(options: {
  identity: Identity;
  attrs: RequestAttributes;
  impersonateUser?: string;
  impersonateGroups: string[];
  objects: RbacObjects;
}): Decision {
  const { identity, attrs, objects } = options;
  let effective = identity;
  if (options.impersonateUser !== undefined) {
    const checks: RequestAttributes[] = [
      { resource: 'users', name: options.impersonateUser },
      ...options.impersonateGroups.map(g => ({ resource: 'groups', name: g })),
    ].map(({ resource, name }) => ({
      verb: 'impersonate',
      resourceRequest: true,
      apiGroup: '',
      resource,
      name,
    }));
    for (const check of checks) {
      if (!isAllowed(identity, check, objects)) {
        return {
          allowed: false,
          code: 403,
          message: forbiddenMessage(identity, check),
          details: { name: check.name, group: '', kind: check.resource },
        };
      }
    }
    effective = {
      user: options.impersonateUser,
      groups: options.impersonateGroups,
    };
  } else if (options.impersonateGroups.length > 0) {
    return {
      allowed: false,
      code: 400,
      message:
        'requested [Impersonate-Group] without impersonating a user: add an Impersonate-User header',
    };
  }
  if (isAllowed(effective, attrs, objects)) {
    return { allowed: true, identity: withAuthenticated(effective) };
  }
  return {
    allowed: false,
    code: 403,
    message: forbiddenMessage(effective, attrs),
    details: {
      name: attrs.name,
      group: attrs.apiGroup,
      kind: attrs.subresource
        ? `${attrs.resource}/${attrs.subresource}`
        : attrs.resource,
    },
  };
}
