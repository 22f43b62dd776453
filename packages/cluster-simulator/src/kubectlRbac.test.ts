/*
 * RBAC and impersonation with a real kubectl v1.35: `--as` and `--as-group`
 * send the impersonation headers, and a refusal reads as kube-apiserver's.
 */
import { fetchKubectl, KubectlHome } from './testing/kubectl';
import type { RunningSimulator } from './simulator';
import { startTestSimulator, statefulSet } from './testing/testWorld';

jest.setTimeout(60000);

const RBAC = 'rbac.authorization.k8s.io/v1';
const roleRef = (kind: string, name: string) => ({
  apiGroup: 'rbac.authorization.k8s.io',
  kind,
  name,
});

let sim: RunningSimulator;
let home: KubectlHome | undefined;

beforeAll(async () => {
  fetchKubectl();
  sim = await startTestSimulator({
    clusters: [
      {
        name: 'eu-central',
        region: 'eu-central-1',
        rbac: true,
        users: [{ token: 'backstage-token', user: 'backstage' }],
        objects: [
          {
            apiVersion: 'v1',
            kind: 'Namespace',
            metadata: { name: 'databases' },
          },
          statefulSet('orders-db'),
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
            roleRef: roleRef('ClusterRole', 'impersonator'),
            subjects: [{ kind: 'User', name: 'backstage' }],
          },
          {
            apiVersion: RBAC,
            kind: 'ClusterRole',
            metadata: { name: 'viewer' },
            rules: [
              { apiGroups: ['*'], resources: ['*'], verbs: ['get', 'list'] },
            ],
          },
          {
            // kubectl patch reads the object first: bob may read, not write.
            apiVersion: RBAC,
            kind: 'ClusterRoleBinding',
            metadata: { name: 'devs-view' },
            roleRef: roleRef('ClusterRole', 'viewer'),
            subjects: [{ kind: 'Group', name: 'devs' }],
          },
          {
            apiVersion: RBAC,
            kind: 'Role',
            metadata: { name: 'sts-operator', namespace: 'databases' },
            rules: [
              {
                apiGroups: ['apps'],
                resources: ['statefulsets', 'statefulsets/scale'],
                verbs: ['get', 'list', 'patch'],
              },
            ],
          },
          {
            apiVersion: RBAC,
            kind: 'RoleBinding',
            metadata: { name: 'dbas', namespace: 'databases' },
            roleRef: roleRef('Role', 'sts-operator'),
            subjects: [{ kind: 'Group', name: 'dbas' }],
          },
        ],
      },
    ],
  });
  // kubectl authenticates with the token that may only impersonate.
  home = new KubectlHome(
    sim.clusters.map(c => ({ ...c, token: 'backstage-token' })),
    'sim-kubectl-rbac-',
  );
}, 300000);

afterAll(async () => {
  await sim?.stop();
  home?.remove();
});

function kubectl(args: string[]) {
  return home!.run(['-n', 'databases', ...args]);
}

const scaleTo = (n: number) => [
  'patch',
  'statefulset',
  'orders-db',
  '--type=merge',
  '-p',
  JSON.stringify({ spec: { replicas: n } }),
];

const replicas = () =>
  sim.stores
    .get('eu-central')!
    .get('apps/v1', 'StatefulSet', 'databases', 'orders-db')!.spec.replicas;

describe('kubectl against a cluster with RBAC on', () => {
  it('patches as an impersonated member of a bound group', async () => {
    const r = await kubectl(['--as=ann', '--as-group=dbas', ...scaleTo(3)]);
    expect(r).toMatchObject({ code: 0 });
    expect(r.stdout).toContain('statefulset.apps/orders-db patched');
    expect(replicas()).toBe(3);
  });

  it("refuses another user in kube-apiserver's words and changes nothing", async () => {
    const r = await kubectl(['--as=bob', '--as-group=devs', ...scaleTo(5)]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(
      'Error from server (Forbidden): statefulsets.apps "orders-db" is forbidden: User "bob" cannot patch resource "statefulsets" in API group "apps" in the namespace "databases"',
    );
    expect(replicas()).toBe(3);
  });

  it('refuses the impersonating identity on its own', async () => {
    const r = await kubectl(['get', 'statefulsets']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(
      'User "backstage" cannot list resource "statefulsets" in API group "apps" in the namespace "databases"',
    );
  });
});
