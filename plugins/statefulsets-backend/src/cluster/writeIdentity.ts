/*
 * Impersonation: with `multiclusterStatefulsets.writes.impersonation` on,
 * every cluster write carries `Impersonate-User` and `Impersonate-Group`
 * headers naming the Backstage user it acts for, so the cluster's own RBAC
 * decides it and the backend's credentials need only the `impersonate` verb.
 * This module maps Backstage identities to Kubernetes ones.
 */
import {
  BackstageCredentials,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import { parseEntityRef } from '@backstage/catalog-model';
import { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';

/** The Kubernetes identity a write is evaluated as. */
export interface WriteIdentity {
  user: string;
  groups: string[];
}

/** How Backstage identities map to Kubernetes ones. */
export interface ImpersonationOptions {
  /** Template of the user name over the user entity ref (default `{{name}}`). */
  userTemplate: string;
  /** Template of a group name over a group ownership ref (default `{{name}}`). */
  groupTemplate: string;
  /** Groups added to every impersonated identity. */
  extraGroups: string[];
}

const PLACEHOLDER = /\{\{\s*(\w+)\s*\}\}/g;
const KNOWN = new Set(['kind', 'namespace', 'name']);

function checkTemplate(key: string, template: string): string {
  for (const [, p] of template.matchAll(PLACEHOLDER)) {
    if (!KNOWN.has(p)) {
      throw new InputError(
        `multiclusterStatefulsets.writes.impersonation.${key}: unknown placeholder {{${p}}}; use {{kind}}, {{namespace}} or {{name}}`,
      );
    }
  }
  return template;
}

/** Reads the impersonation settings; undefined when impersonation is off. */
export function readImpersonationOptions(
  config: Config,
): ImpersonationOptions | undefined {
  const c = config.getOptionalConfig(
    'multiclusterStatefulsets.writes.impersonation',
  );
  if (!c || c.getOptionalBoolean('enabled') !== true) return undefined;
  return {
    userTemplate: checkTemplate(
      'userTemplate',
      c.getOptionalString('userTemplate') ?? '{{name}}',
    ),
    groupTemplate: checkTemplate(
      'groupTemplate',
      c.getOptionalString('groupTemplate') ?? '{{name}}',
    ),
    extraGroups: c.getOptionalStringArray('extraGroups') ?? [],
  };
}

function render(template: string, ref: string): string {
  const parts = parseEntityRef(ref);
  const values: Record<string, string> = {
    kind: parts.kind.toLocaleLowerCase('en-US'),
    namespace: parts.namespace,
    name: parts.name,
  };
  return template.replace(PLACEHOLDER, (_, p: string) => values[p]);
}

/**
 * The Kubernetes identity of a Backstage user: the user from the user entity
 * ref, the groups from the ownership refs that are groups, plus the fixed
 * extra groups.
 */
export function identityForUser(
  user: { userEntityRef: string; ownershipEntityRefs: string[] },
  options: ImpersonationOptions,
): WriteIdentity {
  const groups = user.ownershipEntityRefs
    .filter(
      ref => parseEntityRef(ref).kind.toLocaleLowerCase('en-US') === 'group',
    )
    .map(ref => render(options.groupTemplate, ref));
  return {
    user: render(options.userTemplate, user.userEntityRef),
    groups: [...new Set([...groups, ...options.extraGroups])],
  };
}

/**
 * The Kubernetes identity of a service allowed to write with no user behind
 * it (`writers.allowedServices`): its subject, e.g. `external:ci-bot`, with
 * the extra groups only.
 */
export function identityForService(
  subject: string,
  options: ImpersonationOptions,
): WriteIdentity {
  return { user: subject, groups: [...options.extraGroups] };
}

/** Resolves the identity a caller's writes act as; undefined when impersonation is off. */
export type WriteIdentityResolver = (
  credentials: BackstageCredentials,
) => Promise<WriteIdentity | undefined>;

/** The resolver for the configured impersonation (a no-op when it is off). */
export function createWriteIdentityResolver(options: {
  config: Config;
  userInfo: UserInfoService;
}): WriteIdentityResolver {
  const settings = readImpersonationOptions(options.config);
  return async credentials => {
    if (!settings) return undefined;
    const principal = credentials.principal as {
      type?: string;
      subject?: string;
    };
    if (principal.type === 'user') {
      const info = await options.userInfo.getUserInfo(credentials);
      return identityForUser(info, settings);
    }
    if (principal.type === 'service' && principal.subject) {
      return identityForService(principal.subject, settings);
    }
    throw new InputError(
      'Writes with impersonation act for a user or a named service; this caller is neither',
    );
  };
}

/** `user ann (groups dbas, readers)`, for messages. */
export function describeIdentity(identity: WriteIdentity): string {
  return `user ${identity.user} (${
    identity.groups.length > 0
      ? `groups ${identity.groups.join(', ')}`
      : 'no groups'
  })`;
}

/** The request headers that make a cluster evaluate a request as the identity. */
export function impersonationHeaders(
  identity: WriteIdentity,
): Record<string, string | string[]> {
  return identity.groups.length > 0
    ? {
        'Impersonate-User': identity.user,
        'Impersonate-Group': identity.groups,
      }
    : { 'Impersonate-User': identity.user };
}
