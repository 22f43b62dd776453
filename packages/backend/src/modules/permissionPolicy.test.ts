import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  createPermission,
  isResourcePermission,
} from '@backstage/plugin-permission-common';
import { PolicyQueryUser } from '@backstage/plugin-permission-node';
import {
  kubernetesClustersReadPermission,
  kubernetesProxyPermission,
} from '@backstage/plugin-kubernetes-common';
import { OwnerWritesPolicy } from './permissionPolicy';

const failover = createPermission({
  name: 'multicluster-statefulsets.failover.execute',
  attributes: { action: 'update' },
  resourceType: 'catalog-entity',
});
const topologyRead = createPermission({
  name: 'multicluster-statefulsets.topology.read',
  attributes: { action: 'read' },
  resourceType: 'catalog-entity',
});
const deploy = createPermission({
  name: 'multicluster-statefulsets.deploy',
  attributes: { action: 'create' },
});
const catalogDelete = createPermission({
  name: 'catalog.entity.delete',
  attributes: { action: 'delete' },
  resourceType: 'catalog-entity',
});

function userWith(ownershipEntityRefs: string[]): PolicyQueryUser {
  return {
    identity: {
      type: 'user',
      userEntityRef: ownershipEntityRefs[0],
      ownershipEntityRefs,
    },
    info: { userEntityRef: ownershipEntityRefs[0], ownershipEntityRefs },
    token: 'token',
    credentials: {} as PolicyQueryUser['credentials'],
  } as PolicyQueryUser;
}

describe('OwnerWritesPolicy', () => {
  const policy = new OwnerWritesPolicy();
  const guest = userWith([
    'user:default/guest',
    'group:default/database-platform',
  ]);
  const loner = userWith(['user:default/loner']);

  it('allows the product’s reads to everyone', async () => {
    expect(await policy.handle({ permission: topologyRead }, loner)).toEqual({
      result: AuthorizeResult.ALLOW,
    });
  });

  it('grants entity writes only to the entity’s owners', async () => {
    expect(isResourcePermission(failover, 'catalog-entity')).toBe(true);
    const decision = await policy.handle({ permission: failover }, guest);
    expect(decision).toEqual({
      result: AuthorizeResult.CONDITIONAL,
      pluginId: 'catalog',
      resourceType: 'catalog-entity',
      conditions: {
        rule: 'IS_ENTITY_OWNER',
        resourceType: 'catalog-entity',
        params: { claims: guest.info.ownershipEntityRefs },
      },
    });
  });

  it('denies entity writes to a caller without identity outright', async () => {
    expect(await policy.handle({ permission: failover })).toEqual({
      result: AuthorizeResult.DENY,
    });
  });

  it('grants writes without an entity to members of a group', async () => {
    expect(await policy.handle({ permission: deploy }, guest)).toEqual({
      result: AuthorizeResult.ALLOW,
    });
    expect(await policy.handle({ permission: deploy }, loner)).toEqual({
      result: AuthorizeResult.DENY,
    });
  });

  it('lets only platform admins use the Kubernetes proxy, whose credentials may write', async () => {
    const admin = userWith([
      'user:default/pat',
      'group:default/platform-admins',
    ]);
    expect(
      await policy.handle({ permission: kubernetesProxyPermission }, admin),
    ).toEqual({
      result: AuthorizeResult.ALLOW,
    });
    for (const who of [guest, loner, undefined]) {
      expect(
        await policy.handle({ permission: kubernetesProxyPermission }, who),
      ).toEqual({
        result: AuthorizeResult.DENY,
      });
    }
    // The Kubernetes plugin's reads stay open: the guest still sees pods.
    expect(
      await policy.handle(
        { permission: kubernetesClustersReadPermission },
        guest,
      ),
    ).toEqual({ result: AuthorizeResult.ALLOW });
  });

  it('takes the proxy group from configuration, case-insensitively', async () => {
    const custom = new OwnerWritesPolicy({ proxyGroup: 'group:ops/SRE' });
    const sre = userWith(['user:ops/sam', 'group:ops/sre']);
    const admin = userWith([
      'user:default/pat',
      'group:default/platform-admins',
    ]);
    expect(
      await custom.handle({ permission: kubernetesProxyPermission }, sre),
    ).toEqual({
      result: AuthorizeResult.ALLOW,
    });
    expect(
      await custom.handle({ permission: kubernetesProxyPermission }, admin),
    ).toEqual({
      result: AuthorizeResult.DENY,
    });
  });

  it('leaves other plugins’ permissions at the default of allow', async () => {
    expect(await policy.handle({ permission: catalogDelete }, loner)).toEqual({
      result: AuthorizeResult.ALLOW,
    });
  });
});
