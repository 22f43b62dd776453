import { isResourcePermission } from '@backstage/plugin-permission-common';
import {
  deployPermission,
  failoverExecutePermission,
  multiclusterStatefulsetsPermissions,
  topologyReadPermission,
} from './permissions';

describe('permissions', () => {
  it('guards entity reads and failovers as catalog-entity resource permissions', () => {
    expect(isResourcePermission(topologyReadPermission, 'catalog-entity')).toBe(
      true,
    );
    expect(topologyReadPermission.attributes.action).toBe('read');
    expect(
      isResourcePermission(failoverExecutePermission, 'catalog-entity'),
    ).toBe(true);
    expect(failoverExecutePermission.attributes.action).toBe('update');
  });

  it('makes deploy a basic create permission and lists all of them', () => {
    expect(deployPermission.type).toBe('basic');
    expect(deployPermission.attributes.action).toBe('create');
    expect(multiclusterStatefulsetsPermissions.map(p => p.name).sort()).toEqual(
      [
        'multicluster-statefulsets.deploy',
        'multicluster-statefulsets.discovery.read',
        'multicluster-statefulsets.failover.execute',
        'multicluster-statefulsets.topology.read',
      ],
    );
  });
});
