import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { JsonObject } from '@backstage/types';
import {
  createWriteIdentityResolver,
  describeIdentity,
  identityForUser,
  impersonationHeaders,
  readImpersonationOptions,
} from './writeIdentity';

const config = (impersonation?: JsonObject) =>
  new ConfigReader({
    multiclusterStatefulsets: impersonation
      ? { writes: { impersonation } }
      : {},
  });

describe('readImpersonationOptions', () => {
  it('is off unless enabled, with entity-name templates by default', () => {
    expect(readImpersonationOptions(config())).toBeUndefined();
    expect(
      readImpersonationOptions(
        config({ enabled: false, userTemplate: '{{name}}' }),
      ),
    ).toBeUndefined();
    expect(readImpersonationOptions(config({ enabled: true }))).toEqual({
      userTemplate: '{{name}}',
      groupTemplate: '{{name}}',
      extraGroups: [],
    });
  });

  it('names an unknown placeholder and the ones it accepts', () => {
    expect(() =>
      readImpersonationOptions(
        config({ enabled: true, groupTemplate: 'oidc:{{group}}' }),
      ),
    ).toThrow(
      'multiclusterStatefulsets.writes.impersonation.groupTemplate: unknown placeholder {{group}}; use {{kind}}, {{namespace}} or {{name}}',
    );
  });
});

describe('identityForUser', () => {
  const ann = {
    userEntityRef: 'user:default/ann',
    ownershipEntityRefs: [
      'user:default/ann',
      'group:default/dbas',
      'group:tenants/readers',
    ],
  };

  it('maps the user name and the group ownership refs, users left out', () => {
    expect(
      identityForUser(ann, {
        userTemplate: '{{name}}',
        groupTemplate: '{{name}}',
        extraGroups: [],
      }),
    ).toEqual({ user: 'ann', groups: ['dbas', 'readers'] });
  });

  it('applies templates and adds the extra groups once', () => {
    expect(
      identityForUser(ann, {
        userTemplate: '{{namespace}}/{{name}}',
        groupTemplate: 'backstage:{{namespace}}:{{name}}',
        extraGroups: ['backstage-users', 'backstage:default:dbas'],
      }),
    ).toEqual({
      user: 'default/ann',
      groups: [
        'backstage:default:dbas',
        'backstage:tenants:readers',
        'backstage-users',
      ],
    });
  });
});

describe('createWriteIdentityResolver', () => {
  const userInfo = mockServices.userInfo.mock({
    getUserInfo: async () => ({
      userEntityRef: 'user:default/ann',
      ownershipEntityRefs: ['user:default/ann', 'group:default/dbas'],
    }),
  });

  it('resolves nothing when impersonation is off', async () => {
    const resolve = createWriteIdentityResolver({ config: config(), userInfo });
    expect(
      await resolve(mockCredentials.user('user:default/ann')),
    ).toBeUndefined();
  });

  it('resolves a user from their ownership refs and a service from its subject', async () => {
    const resolve = createWriteIdentityResolver({
      config: config({ enabled: true, extraGroups: ['backstage'] }),
      userInfo,
    });
    expect(await resolve(mockCredentials.user('user:default/ann'))).toEqual({
      user: 'ann',
      groups: ['dbas', 'backstage'],
    });
    expect(await resolve(mockCredentials.service('external:ci-bot'))).toEqual({
      user: 'external:ci-bot',
      groups: ['backstage'],
    });
  });
});

describe('headers and messages', () => {
  it('sends one Impersonate-Group per group, none when there are none', () => {
    expect(
      impersonationHeaders({ user: 'ann', groups: ['dbas', 'readers'] }),
    ).toEqual({
      'Impersonate-User': 'ann',
      'Impersonate-Group': ['dbas', 'readers'],
    });
    expect(impersonationHeaders({ user: 'ann', groups: [] })).toEqual({
      'Impersonate-User': 'ann',
    });
    expect(describeIdentity({ user: 'ann', groups: ['dbas'] })).toBe(
      'user ann (groups dbas)',
    );
    expect(describeIdentity({ user: 'bob', groups: [] })).toBe(
      'user bob (no groups)',
    );
  });
});
