import { kubernetesProxyPermission } from '@backstage/plugin-kubernetes-common';
import {
  AuthorizeResult,
  createPermission,
} from '@backstage/plugin-permission-common';
import {
  deployPermission,
  failoverExecutePermission,
  topologyReadPermission,
} from '@multicluster/backstage-plugin-statefulsets-common';
import { StatefulsetsOwnerPolicy } from './policy';

const user = (...refs: string[]) =>
  ({
    identity: {
      type: 'user',
      userEntityRef: refs[0],
      ownershipEntityRefs: refs,
    },
    info: { userEntityRef: refs[0], ownershipEntityRefs: refs },
    token: 't',
    credentials: {} as any,
  } as any);

const ann = user('user:default/ann', 'group:default/dbas');
const loner = user('user:development/guest');

describe('StatefulsetsOwnerPolicy', () => {
  const policy = new StatefulsetsOwnerPolicy();

  it('leaves other plugins allowed, as the allow-all policy did', async () => {
    const other = createPermission({
      name: 'catalog.entity.delete',
      attributes: { action: 'delete' },
    });
    await expect(policy.handle({ permission: other }, loner)).resolves.toEqual({
      result: AuthorizeResult.ALLOW,
    });
    await expect(
      policy.handle({ permission: kubernetesProxyPermission }, loner),
    ).resolves.toEqual({ result: AuthorizeResult.ALLOW });
  });

  it('allows reads, gives failover to the entity owners and deploy to group members', async () => {
    await expect(
      policy.handle({ permission: topologyReadPermission }, loner),
    ).resolves.toEqual({ result: AuthorizeResult.ALLOW });
    await expect(
      policy.handle({ permission: failoverExecutePermission }, ann),
    ).resolves.toMatchObject({
      result: AuthorizeResult.CONDITIONAL,
      conditions: {
        rule: 'IS_ENTITY_OWNER',
        params: { claims: ['user:default/ann', 'group:default/dbas'] },
      },
    });
    await expect(
      policy.handle({ permission: deployPermission }, ann),
    ).resolves.toEqual({ result: AuthorizeResult.ALLOW });
    await expect(
      policy.handle({ permission: deployPermission }, loner),
    ).resolves.toEqual({ result: AuthorizeResult.DENY });
  });

  it('restricts the Kubernetes proxy to the named group', async () => {
    const restricted = new StatefulsetsOwnerPolicy({
      kubernetesProxyGroup: 'group:default/DBAs',
    });
    await expect(
      restricted.handle({ permission: kubernetesProxyPermission }, ann),
    ).resolves.toEqual({ result: AuthorizeResult.ALLOW });
    await expect(
      restricted.handle({ permission: kubernetesProxyPermission }, loner),
    ).resolves.toEqual({ result: AuthorizeResult.DENY });
  });
});
