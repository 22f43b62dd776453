/*
 * RBAC and impersonation over HTTP: a world that turns RBAC on, tokens with
 * identities, and Roles and bindings stored as ordinary objects.
 */
import type { RunningSimulator } from '../simulator';
import { startTestSimulator, statefulSet } from '../testing/testWorld';
import { validateWorld } from '../world';

jest.setTimeout(30000);

const RBAC = 'rbac.authorization.k8s.io/v1';
const STS = '/apis/apps/v1/namespaces/databases/statefulsets/orders-db';

function world(rbac: boolean) {
  return {
    clusters: [
      {
        name: 'eu-central',
        region: 'eu-central-1',
        rbac,
        users: [
          {
            token: 'backstage-token',
            user: 'backstage',
            groups: ['platform'],
            writer: true,
          },
          { token: 'ann-token', user: 'ann', groups: ['dbas'] },
        ],
        objects: [
          {
            apiVersion: 'v1',
            kind: 'Namespace',
            metadata: { name: 'databases' },
          },
          statefulSet('orders-db'),
          {
            apiVersion: RBAC,
            kind: 'Role',
            metadata: { name: 'sts-patcher', namespace: 'databases' },
            rules: [
              {
                apiGroups: ['apps'],
                resources: ['statefulsets'],
                verbs: ['get', 'list', 'watch', 'patch'],
              },
            ],
          },
          {
            apiVersion: RBAC,
            kind: 'RoleBinding',
            metadata: { name: 'dbas-patch', namespace: 'databases' },
            roleRef: {
              apiGroup: 'rbac.authorization.k8s.io',
              kind: 'Role',
              name: 'sts-patcher',
            },
            subjects: [{ kind: 'Group', name: 'dbas' }],
          },
          {
            apiVersion: RBAC,
            kind: 'ClusterRole',
            metadata: { name: 'impersonator' },
            rules: [
              {
                apiGroups: [''],
                resources: ['users', 'groups'],
                verbs: ['impersonate'],
              },
            ],
          },
          {
            apiVersion: RBAC,
            kind: 'ClusterRoleBinding',
            metadata: { name: 'backstage-impersonates' },
            roleRef: {
              apiGroup: 'rbac.authorization.k8s.io',
              kind: 'ClusterRole',
              name: 'impersonator',
            },
            subjects: [{ kind: 'Group', name: 'platform' }],
          },
        ],
      },
    ],
  };
}

async function call(
  sim: RunningSimulator,
  token: string,
  method: string,
  path: string,
  options: { body?: unknown; headers?: [string, string][] } = {},
) {
  const headers = new Headers({ Authorization: `Bearer ${token}` });
  if (options.body !== undefined)
    headers.set('Content-Type', 'application/merge-patch+json');
  for (const [k, v] of options.headers ?? []) headers.append(k, v);
  const res = await fetch(`${sim.clusters[0].url}${path}`, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  return { status: res.status, body: await res.json() };
}

const scaleTo = (replicas: number) => ({ spec: { replicas } });

describe('with RBAC on', () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startTestSimulator(world(true));
  });
  afterAll(() => sim.stop());

  it('serves the RBAC kinds in discovery and as objects', async () => {
    const admin = sim.clusters[0].token;
    const groups = await call(sim, admin, 'GET', '/apis');
    expect(groups.body.groups.map((g: any) => g.name)).toContain(
      'rbac.authorization.k8s.io',
    );
    const roles = await call(
      sim,
      admin,
      'GET',
      '/apis/rbac.authorization.k8s.io/v1/namespaces/databases/roles',
    );
    expect(roles.body.items.map((r: any) => r.metadata.name)).toEqual([
      'sts-patcher',
    ]);
  });

  it('lets a bound group patch and refuses an unbound user in kube-apiserver words', async () => {
    expect(
      (await call(sim, 'ann-token', 'PATCH', STS, { body: scaleTo(3) })).status,
    ).toBe(200);
    const refused = await call(sim, 'backstage-token', 'PATCH', STS, {
      body: scaleTo(4),
    });
    expect(refused).toEqual({
      status: 403,
      body: expect.objectContaining({
        kind: 'Status',
        reason: 'Forbidden',
        code: 403,
        message:
          'statefulsets.apps "orders-db" is forbidden: User "backstage" cannot patch resource "statefulsets" in API group "apps" in the namespace "databases"',
        details: { name: 'orders-db', group: 'apps', kind: 'statefulsets' },
      }),
    });
  });

  it('evaluates an impersonating request as the impersonated user and groups', async () => {
    const asAnn: [string, string][] = [
      ['Impersonate-User', 'ann'],
      ['Impersonate-Group', 'dbas'],
      ['Impersonate-Group', 'readers'],
    ];
    const ok = await call(sim, 'backstage-token', 'PATCH', STS, {
      body: scaleTo(5),
      headers: asAnn,
    });
    expect(ok.status).toBe(200);
    expect(ok.body.spec.replicas).toBe(5);
    const asBob: [string, string][] = [
      ['Impersonate-User', 'bob'],
      ['Impersonate-Group', 'devs'],
    ];
    const refused = await call(sim, 'backstage-token', 'PATCH', STS, {
      body: scaleTo(6),
      headers: asBob,
    });
    expect(refused.status).toBe(403);
    expect(refused.body.message).toContain(
      'User "bob" cannot patch resource "statefulsets"',
    );
    const now = await call(sim, sim.clusters[0].token, 'GET', STS);
    expect(now.body.spec.replicas).toBe(5);
  });

  it('refuses impersonation to a token without the impersonate verb', async () => {
    const refused = await call(sim, 'ann-token', 'GET', STS, {
      headers: [['Impersonate-User', 'root']],
    });
    expect(refused.status).toBe(403);
    expect(refused.body.message).toBe(
      'users "root" is forbidden: User "ann" cannot impersonate resource "users" in API group "" at the cluster scope',
    );
  });

  it('tells clients which token reads and which one writes', () => {
    expect(sim.clusters[0]).toMatchObject({
      rbac: true,
      writeToken: 'backstage-token',
    });
    expect(sim.clusters[0].readOnlyToken).toBeUndefined();
  });

  it("keeps the cluster's own token all-powerful", async () => {
    const res = await call(sim, sim.clusters[0].token, 'DELETE', STS);
    expect(res.status).toBe(200);
  });
});

describe('with RBAC off (the default)', () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startTestSimulator(world(false));
  });
  afterAll(() => sim.stop());

  it('lets every known token do anything and ignores impersonation', async () => {
    const res = await call(sim, 'backstage-token', 'PATCH', STS, {
      body: scaleTo(7),
      headers: [['Impersonate-User', 'bob']],
    });
    expect(res.status).toBe(200);
    expect((await call(sim, 'nope', 'GET', STS)).status).toBe(401);
  });
});

describe('the world file', () => {
  it('says what is wrong with a token identity or the rbac switch', () => {
    const base = world(true);
    const withCluster = (extra: Record<string, unknown>) => ({
      clusters: [{ ...base.clusters[0], ...extra }],
    });
    expect(() => validateWorld(withCluster({ rbac: 'yes' }), 'w.yaml')).toThrow(
      'rbac must be true or false',
    );
    expect(() =>
      validateWorld(
        withCluster({ users: [{ token: 't', groups: ['x'] }] }),
        'w.yaml',
      ),
    ).toThrow('users[0]: user must be a non-empty string');
    expect(() =>
      validateWorld(
        withCluster({
          users: [{ token: 'demo-token-eu-central', user: 'x' }],
          token: 'demo-token-eu-central',
        }),
        'w.yaml',
      ),
    ).toThrow('users[0]: the token is already used in this cluster');
    expect(() =>
      validateWorld(
        withCluster({
          users: [
            { token: 'a', user: 'a', writer: true },
            { token: 'b', user: 'b', writer: true },
          ],
        }),
        'w.yaml',
      ),
    ).toThrow('only one of users may be the writer');
    expect(validateWorld(withCluster({}), 'w.yaml').clusters[0]).toMatchObject({
      rbac: true,
      users: [
        { token: 'backstage-token', user: 'backstage', groups: ['platform'] },
        { token: 'ann-token', user: 'ann', groups: ['dbas'] },
      ],
    });
  });
});
