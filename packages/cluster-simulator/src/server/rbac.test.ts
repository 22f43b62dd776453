import {
  authorizeRequest,
  forbiddenMessage,
  isAllowed,
  RbacObjects,
  requestAttributes,
  ruleAllows,
} from './rbac';

const attrs = (method: string, path: string) =>
  requestAttributes(method, new URL(path, 'http://cluster'));

const objects = (o: Partial<RbacObjects>): RbacObjects => ({
  roles: [],
  clusterRoles: [],
  roleBindings: [],
  clusterRoleBindings: [],
  ...o,
});

const patcher = {
  apiVersion: 'rbac.authorization.k8s.io/v1',
  kind: 'Role',
  metadata: { name: 'sts-patcher', namespace: 'databases' },
  rules: [
    {
      apiGroups: ['apps'],
      resources: ['statefulsets', 'statefulsets/scale'],
      verbs: ['get', 'list', 'watch', 'patch'],
    },
  ],
};
const dbasBinding = {
  apiVersion: 'rbac.authorization.k8s.io/v1',
  kind: 'RoleBinding',
  metadata: { name: 'dbas', namespace: 'databases' },
  roleRef: {
    apiGroup: 'rbac.authorization.k8s.io',
    kind: 'Role',
    name: 'sts-patcher',
  },
  subjects: [{ kind: 'Group', name: 'dbas' }],
};
const impersonator = {
  apiVersion: 'rbac.authorization.k8s.io/v1',
  kind: 'ClusterRole',
  metadata: { name: 'impersonator' },
  rules: [
    { apiGroups: [''], resources: ['users', 'groups'], verbs: ['impersonate'] },
  ],
};
const backstageImpersonates = {
  apiVersion: 'rbac.authorization.k8s.io/v1',
  kind: 'ClusterRoleBinding',
  metadata: { name: 'backstage-impersonates' },
  roleRef: {
    apiGroup: 'rbac.authorization.k8s.io',
    kind: 'ClusterRole',
    name: 'impersonator',
  },
  subjects: [{ kind: 'User', name: 'backstage' }],
};

describe('requestAttributes', () => {
  it('reads verb, group, resource, subresource, namespace and name like kube-apiserver', () => {
    expect(
      attrs(
        'PATCH',
        '/apis/apps/v1/namespaces/databases/statefulsets/orders/scale',
      ),
    ).toEqual({
      verb: 'patch',
      resourceRequest: true,
      apiGroup: 'apps',
      resource: 'statefulsets',
      subresource: 'scale',
      namespace: 'databases',
      name: 'orders',
    });
    expect(attrs('GET', '/api/v1/namespaces/databases/pods')).toMatchObject({
      verb: 'list',
      apiGroup: '',
      resource: 'pods',
      namespace: 'databases',
      name: undefined,
    });
    expect(attrs('GET', '/api/v1/pods?watch=true').verb).toBe('watch');
    // The WebSocket upgrade of exec/attach/portforward is a GET that needs create.
    expect(
      attrs(
        'GET',
        '/api/v1/namespaces/databases/pods/orders-0/exec?command=ls',
      ),
    ).toMatchObject({ verb: 'create', resource: 'pods', subresource: 'exec' });
    expect(
      attrs('POST', '/api/v1/namespaces/databases/pods/orders-0/exec').verb,
    ).toBe('create');
    expect(
      attrs('GET', '/api/v1/namespaces/databases/pods/orders-0/log').verb,
    ).toBe('get');
    expect(attrs('GET', '/api/v1/pods?watch=True').verb).toBe('watch');
    expect(attrs('GET', '/api/v1/pods?watch=t').verb).toBe('watch');
    expect(attrs('GET', '/api/v1/pods?watch=False').verb).toBe('list');
    expect(
      attrs('GET', '/apis/apps/v1/watch/namespaces/db/statefulsets').verb,
    ).toBe('watch');
    expect(attrs('POST', '/api/v1/namespaces/db/configmaps').verb).toBe(
      'create',
    );
    expect(attrs('PUT', '/api/v1/namespaces/db/configmaps/x').verb).toBe(
      'update',
    );
    expect(attrs('DELETE', '/api/v1/namespaces/db/configmaps/x').verb).toBe(
      'delete',
    );
    expect(attrs('DELETE', '/api/v1/namespaces/db/configmaps').verb).toBe(
      'deletecollection',
    );
    expect(attrs('GET', '/api/v1/namespaces/db')).toMatchObject({
      resource: 'namespaces',
      name: 'db',
      namespace: 'db',
    });
    expect(attrs('GET', '/apis').resourceRequest).toBe(false);
    expect(attrs('GET', '/apis/apps/v1').resourceRequest).toBe(false);
  });
});

describe('ruleAllows', () => {
  const rule = {
    apiGroups: ['apps'],
    resources: ['statefulsets'],
    verbs: ['patch'],
  };
  it('needs verb, group and resource to match, subresources named on their own', () => {
    const a = attrs('PATCH', '/apis/apps/v1/namespaces/db/statefulsets/x');
    expect(ruleAllows(rule, a)).toBe(true);
    expect(ruleAllows({ ...rule, verbs: ['get'] }, a)).toBe(false);
    expect(ruleAllows({ ...rule, apiGroups: [''] }, a)).toBe(false);
    const scale = attrs(
      'PATCH',
      '/apis/apps/v1/namespaces/db/statefulsets/x/scale',
    );
    expect(ruleAllows(rule, scale)).toBe(false);
    expect(
      ruleAllows({ ...rule, resources: ['statefulsets/scale'] }, scale),
    ).toBe(true);
    expect(ruleAllows({ ...rule, resources: ['*'] }, scale)).toBe(true);
  });

  it('limits to resourceNames, which never match unnamed requests', () => {
    const named = { ...rule, verbs: ['patch', 'list'], resourceNames: ['x'] };
    expect(
      ruleAllows(
        named,
        attrs('PATCH', '/apis/apps/v1/namespaces/db/statefulsets/x'),
      ),
    ).toBe(true);
    expect(
      ruleAllows(
        named,
        attrs('PATCH', '/apis/apps/v1/namespaces/db/statefulsets/y'),
      ),
    ).toBe(false);
    expect(
      ruleAllows(
        named,
        attrs('GET', '/apis/apps/v1/namespaces/db/statefulsets'),
      ),
    ).toBe(false);
  });
});

describe('isAllowed', () => {
  const rbac = objects({ roles: [patcher], roleBindings: [dbasBinding] });
  const patch = attrs(
    'PATCH',
    '/apis/apps/v1/namespaces/databases/statefulsets/orders',
  );

  it('allows through a RoleBinding only in its namespace and only to its subjects', () => {
    expect(isAllowed({ user: 'ann', groups: ['dbas'] }, patch, rbac)).toBe(
      true,
    );
    expect(isAllowed({ user: 'bob', groups: ['devs'] }, patch, rbac)).toBe(
      false,
    );
    const elsewhere = attrs(
      'PATCH',
      '/apis/apps/v1/namespaces/other/statefulsets/orders',
    );
    expect(isAllowed({ user: 'ann', groups: ['dbas'] }, elsewhere, rbac)).toBe(
      false,
    );
    const del = attrs(
      'DELETE',
      '/apis/apps/v1/namespaces/databases/statefulsets/orders',
    );
    expect(isAllowed({ user: 'ann', groups: ['dbas'] }, del, rbac)).toBe(false);
  });

  it('lets a RoleBinding grant a ClusterRole within its namespace', () => {
    const clusterRole = {
      ...patcher,
      kind: 'ClusterRole',
      metadata: { name: 'sts-patcher' },
    };
    const binding = {
      ...dbasBinding,
      roleRef: { ...dbasBinding.roleRef, kind: 'ClusterRole' },
    };
    const o = objects({ clusterRoles: [clusterRole], roleBindings: [binding] });
    expect(isAllowed({ user: 'ann', groups: ['dbas'] }, patch, o)).toBe(true);
  });

  it('matches ServiceAccount subjects by their user name', () => {
    const binding = {
      ...dbasBinding,
      subjects: [
        { kind: 'ServiceAccount', name: 'backstage', namespace: 'tools' },
      ],
    };
    const o = objects({ roles: [patcher], roleBindings: [binding] });
    expect(
      isAllowed(
        { user: 'system:serviceaccount:tools:backstage', groups: [] },
        patch,
        o,
      ),
    ).toBe(true);
    expect(isAllowed({ user: 'backstage', groups: [] }, patch, o)).toBe(false);
  });

  it('lets system:masters do anything and everyone read discovery', () => {
    expect(
      isAllowed(
        { user: 'admin', groups: ['system:masters'] },
        patch,
        objects({}),
      ),
    ).toBe(true);
    expect(
      isAllowed({ user: 'x', groups: [] }, attrs('GET', '/apis'), objects({})),
    ).toBe(true);
  });
});

describe('authorizeRequest', () => {
  const rbac = objects({
    roles: [patcher],
    roleBindings: [dbasBinding],
    clusterRoles: [impersonator],
    clusterRoleBindings: [backstageImpersonates],
  });
  const patch = attrs(
    'PATCH',
    '/apis/apps/v1/namespaces/databases/statefulsets/orders-mysql',
  );

  it('evaluates the request as the impersonated user and groups', () => {
    const ok = authorizeRequest({
      identity: { user: 'backstage', groups: [] },
      attrs: patch,
      impersonateUser: 'ann',
      impersonateGroups: ['dbas'],
      objects: rbac,
    });
    expect(ok).toEqual({
      allowed: true,
      identity: { user: 'ann', groups: ['dbas', 'system:authenticated'] },
    });
    const refused = authorizeRequest({
      identity: { user: 'backstage', groups: [] },
      attrs: patch,
      impersonateUser: 'bob',
      impersonateGroups: ['devs'],
      objects: rbac,
    });
    expect(refused).toMatchObject({
      allowed: false,
      code: 403,
      message:
        'statefulsets.apps "orders-mysql" is forbidden: User "bob" cannot patch resource "statefulsets" in API group "apps" in the namespace "databases"',
    });
  });

  it('refuses impersonation to an identity without the impersonate verb', () => {
    const refused = authorizeRequest({
      identity: { user: 'mallory', groups: [] },
      attrs: patch,
      impersonateUser: 'ann',
      impersonateGroups: ['dbas'],
      objects: rbac,
    });
    expect(refused).toMatchObject({
      allowed: false,
      code: 403,
      message:
        'users "ann" is forbidden: User "mallory" cannot impersonate resource "users" in API group "" at the cluster scope',
    });
  });

  it('refuses groups without a user as kube-apiserver does', () => {
    expect(
      authorizeRequest({
        identity: { user: 'backstage', groups: [] },
        attrs: patch,
        impersonateGroups: ['dbas'],
        objects: rbac,
      }),
    ).toMatchObject({ allowed: false, code: 400 });
  });

  it('without impersonation evaluates the authenticated identity', () => {
    expect(
      authorizeRequest({
        identity: { user: 'backstage', groups: [] },
        attrs: patch,
        impersonateGroups: [],
        objects: rbac,
      }).allowed,
    ).toBe(false);
  });
});

describe('forbiddenMessage', () => {
  it('names subresources and cluster scope as kube-apiserver does', () => {
    expect(
      forbiddenMessage(
        { user: 'bob', groups: [] },
        attrs('PATCH', '/apis/apps/v1/namespaces/db/statefulsets/x/scale'),
      ),
    ).toBe(
      'statefulsets.apps "x" is forbidden: User "bob" cannot patch resource "statefulsets/scale" in API group "apps" in the namespace "db"',
    );
    expect(
      forbiddenMessage(
        { user: 'bob', groups: [] },
        attrs('GET', '/api/v1/nodes'),
      ),
    ).toBe(
      'nodes is forbidden: User "bob" cannot list resource "nodes" in API group "" at the cluster scope',
    );
  });
});
