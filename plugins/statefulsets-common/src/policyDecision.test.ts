import {
  AuthorizeResult,
  createPermission,
} from '@backstage/plugin-permission-common';
import {
  deployPermission,
  failoverExecutePermission,
  topologyReadPermission,
} from './permissions';
import { createStatefulsetsOwnerPolicyDecision } from './policyDecision';

const user = (...ownershipEntityRefs: string[]) => ({
  info: { ownershipEntityRefs },
});
// What a fresh app's guest sign-in resolves to: a user in no group.
const guest = user('user:development/guest');
const dba = user('user:default/ada', 'group:default/database-platform');

describe('createStatefulsetsOwnerPolicyDecision', () => {
  it('lets everyone read topologies, the guest and anonymous callers included', () => {
    for (const u of [guest, dba, undefined]) {
      expect(
        createStatefulsetsOwnerPolicyDecision(topologyReadPermission, u),
      ).toEqual({ result: AuthorizeResult.ALLOW });
    }
  });

  it('makes a failover conditional on owning the entity, with the caller’s claims', () => {
    expect(
      createStatefulsetsOwnerPolicyDecision(failoverExecutePermission, dba),
    ).toEqual({
      result: AuthorizeResult.CONDITIONAL,
      pluginId: 'catalog',
      resourceType: 'catalog-entity',
      conditions: {
        resourceType: 'catalog-entity',
        rule: 'IS_ENTITY_OWNER',
        params: {
          claims: ['user:default/ada', 'group:default/database-platform'],
        },
      },
    });
  });

  it('refuses a failover to a caller without claims', () => {
    expect(
      createStatefulsetsOwnerPolicyDecision(
        failoverExecutePermission,
        undefined,
      ),
    ).toEqual({ result: AuthorizeResult.DENY });
  });

  it('lets members of a group deploy and refuses the guest', () => {
    expect(
      createStatefulsetsOwnerPolicyDecision(deployPermission, dba),
    ).toEqual({ result: AuthorizeResult.ALLOW });
    expect(
      createStatefulsetsOwnerPolicyDecision(deployPermission, guest),
    ).toEqual({ result: AuthorizeResult.DENY });
  });

  it('leaves other plugins’ permissions, even ones named like ours, to the app', () => {
    const other = createPermission({
      name: 'catalog.entity.delete',
      attributes: { action: 'delete' },
      resourceType: 'catalog-entity',
    });
    const lookalike = createPermission({
      name: 'multicluster-statefulsets.something-else',
      attributes: { action: 'delete' },
    });
    expect(createStatefulsetsOwnerPolicyDecision(other, dba)).toBeUndefined();
    expect(
      createStatefulsetsOwnerPolicyDecision(lookalike, dba),
    ).toBeUndefined();
  });
});
