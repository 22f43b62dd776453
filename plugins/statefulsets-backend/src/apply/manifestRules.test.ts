import fs from 'node:fs';
import path from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import {
  checkManifests,
  describeViolation,
  ManifestsRefusedError,
} from './manifestRules';
import { nodeDangers } from './nodeDangers';
import { ClusterManifests, ManifestObject } from './types';

const GOLDEN = path.resolve(
  __dirname,
  '../../../scaffolder-backend-module-statefulsets/src/generate/__fixtures__/golden',
);

function loadGolden(caseName: string) {
  const dir = path.join(GOLDEN, caseName);
  const plan = parse(
    fs.readFileSync(path.join(dir, 'apply-plan.yaml'), 'utf8'),
  );
  const clusters: ClusterManifests[] = plan.targets.map((t: any) => ({
    name: t.name,
    manifests: t.manifests.flatMap((file: string) =>
      parseAllDocuments(fs.readFileSync(path.join(dir, file), 'utf8'))
        .map(d => d.toJS())
        .filter(Boolean),
    ),
  }));
  const catalogInfo = parse(
    fs.readFileSync(path.join(dir, 'catalog-info.yaml'), 'utf8'),
  );
  return { clusters, catalogInfo };
}

const statefulSet = (spec: Record<string, unknown> = {}): ManifestObject => ({
  apiVersion: 'apps/v1',
  kind: 'StatefulSet',
  metadata: {
    name: 'orders-db',
    namespace: 'orders',
    labels: { 'backstage.io/kubernetes-id': 'orders-db' },
  },
  spec: {
    template: {
      spec: { containers: [{ name: 'db', image: 'mysql:8.4' }], ...spec },
    },
  },
});

const catalogInfo = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'orders-db',
    annotations: {
      'backstage.io/kubernetes-id': 'orders-db',
      'backstage.io/kubernetes-namespace': 'orders',
    },
  },
  spec: {
    type: 'database',
    lifecycle: 'production',
    owner: 'group:default/dba',
  },
};

function check(manifests: ManifestObject[], withCatalogInfo = true) {
  return checkManifests({
    clusters: [{ name: 'eu-west', manifests }],
    ...(withCatalogInfo ? { catalogInfo } : {}),
  });
}

function reasons(manifests: ManifestObject[], withCatalogInfo = true) {
  return check(manifests, withCatalogInfo).violations.map(describeViolation);
}

describe('checkManifests', () => {
  const cases = fs.readdirSync(GOLDEN).sort();

  it('finds the golden cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(19);
  });

  it.each(cases)('accepts every generated manifest of %s', caseName => {
    const { clusters, catalogInfo: entity } = loadGolden(caseName);
    const result = checkManifests({ clusters, catalogInfo: entity });
    expect(result.violations.map(describeViolation)).toEqual([]);
    expect(result.namespace).toBe(
      entity.metadata.annotations['backstage.io/kubernetes-namespace'],
    );
  });

  it('refuses kinds the generator never emits, naming the object and what is accepted', () => {
    const foreign: ManifestObject[] = [
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRoleBinding',
        metadata: { name: 'pwn' },
        roleRef: { kind: 'ClusterRole', name: 'cluster-admin' },
      },
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: { name: 'pwn', namespace: 'orders' },
      },
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'pwn', namespace: 'orders' },
      },
      {
        apiVersion: 'apps/v1',
        kind: 'DaemonSet',
        metadata: { name: 'pwn', namespace: 'orders' },
      },
      {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'pwn', namespace: 'orders' },
      },
      // An accepted kind at another version is not what the generator writes.
      {
        apiVersion: 'networking.istio.io/v1beta1',
        kind: 'VirtualService',
        metadata: { name: 'pwn', namespace: 'orders' },
      },
    ];
    const out = reasons(foreign);
    expect(out).toHaveLength(foreign.length);
    expect(out[0]).toMatch(
      /^ClusterRoleBinding pwn in eu-west: ClusterRoleBinding \(rbac.authorization.k8s.io\/v1\) is not a kind the template generates; accepted: StatefulSet \(apps\/v1\), Service \(v1\),/,
    );
    expect(out[2]).toMatch(
      /^Pod orders\/pwn in eu-west: Pod \(v1\) is not a kind/,
    );
    expect(out[4]).toMatch(
      /^Secret orders\/pwn in eu-west: Secret \(v1\) is not a kind/,
    );
    expect(out[5]).toMatch(
      /VirtualService \(networking.istio.io\/v1beta1\) is not a kind/,
    );
  });

  it('keeps every object in the entity namespace', () => {
    const other = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'x', namespace: 'payments' },
    };
    expect(reasons([statefulSet(), other])).toEqual([
      "ConfigMap payments/x in eu-west: every object must be in the entity's namespace orders, not payments",
    ]);
    // Without catalogInfo the manifests' one namespace is the entity's.
    expect(reasons([statefulSet(), other], false)).toEqual([
      expect.stringMatching(
        /^Namespace orders, payments: the manifests use several namespaces \(orders, payments\)/,
      ),
    ]);
    expect(reasons([{ ...other, metadata: { name: 'x' } }], false)).toEqual([
      "ConfigMap x in eu-west: metadata.namespace is required; set it to the entity's namespace",
    ]);
  });

  it.each([
    'kube-system',
    'kube-public',
    'kube-node-lease',
    'default',
    'istio-system',
  ])('refuses the system namespace %s', ns => {
    const cm = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'x', namespace: ns },
    };
    expect(reasons([cm], false)).toEqual([
      expect.stringMatching(
        new RegExp(
          `^Namespace ${ns}: ${ns} is a system namespace \\(kube-\\*, default, .*\\); choose a namespace of the database's own$`,
        ),
      ),
    ]);
  });

  it('refuses configured protected namespaces', () => {
    const cm = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'x', namespace: 'vault' },
    };
    expect(
      checkManifests(
        { clusters: [{ name: 'eu-west', manifests: [cm] }] },
        { protectedNamespaces: ['vault'] },
      ).violations.map(v => v.reason),
    ).toEqual([expect.stringContaining('vault is a system namespace')]);
  });

  it('accepts only the entity namespace as a Namespace object, and no other cluster-scoped object', () => {
    expect(
      reasons([
        statefulSet(),
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'orders' } },
      ]),
    ).toEqual([]);
    expect(
      reasons([
        statefulSet(),
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'payments' } },
      ]),
    ).toEqual([
      "Namespace payments in eu-west: the only Namespace an apply may create is the entity's own, orders",
    ]);
  });

  it.each([
    [{ hostNetwork: true }, 'spec.template.spec.hostNetwork: true'],
    [{ hostPID: true }, 'spec.template.spec.hostPID: true'],
    [{ hostIPC: true }, 'spec.template.spec.hostIPC: true'],
    [
      { volumes: [{ name: 'root', hostPath: { path: '/' } }] },
      'spec.template.spec.volumes[0].hostPath',
    ],
    [
      { volumes: [{ name: 'n', nfs: { server: 'x', path: '/' } }] },
      'spec.template.spec.volumes[0]: nfs volume',
    ],
    [
      {
        containers: [
          { name: 'db', image: 'x', securityContext: { privileged: true } },
        ],
      },
      'spec.template.spec.containers[0].securityContext.privileged: true',
    ],
    [
      {
        containers: [
          {
            name: 'db',
            image: 'x',
            securityContext: { capabilities: { add: ['SYS_ADMIN'] } },
          },
        ],
      },
      'spec.template.spec.containers[0].securityContext.capabilities.add: SYS_ADMIN',
    ],
    [
      { containers: [{ name: 'db', image: 'x', ports: [{ hostPort: 22 }] }] },
      'spec.template.spec.containers[0].ports[0].hostPort',
    ],
  ])('refuses the pod setting %j', (podSpec, found) => {
    expect(reasons([statefulSet(podSpec)])).toEqual([
      `StatefulSet orders/orders-db in eu-west: settings that reach the node are not accepted (the template never generates them): ${found}`,
    ]);
  });

  it('finds node settings added through federation overrides', () => {
    expect(
      nodeDangers({
        overrides: [
          {
            clusterName: 'eu-west',
            clusterOverrides: [
              {
                op: 'add',
                path: '/spec/template/spec/hostNetwork',
                value: true,
              },
              {
                op: 'replace',
                path: '/spec/template/spec/volumes',
                value: [{ name: 'n', nfs: { server: 'x' } }],
              },
            ],
          },
        ],
      }),
    ).toEqual([
      '.overrides[0].clusterOverrides[0].path: /spec/template/spec/hostNetwork',
      '.overrides[0].clusterOverrides[1].value[0]: nfs volume',
    ]);
    expect(
      nodeDangers({
        overrideRules: [
          {
            overriders: {
              plaintext: [
                {
                  operator: 'add',
                  path: '/spec/template/spec/volumes/0',
                  value: { name: 'h', hostPath: { path: '/etc' } },
                },
              ],
            },
          },
        ],
      }),
    ).toEqual(['.overrideRules[0].overriders.plaintext[0].value.hostPath']);
  });

  it('keeps shared volumes and their secrets in the entity namespace', () => {
    const pv = (spec: Record<string, unknown>): ManifestObject => ({
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: { name: 'orders-orders-db-shared' },
      spec: {
        claimRef: { namespace: 'orders', name: 'orders-db-shared' },
        ...spec,
      },
    });
    const csi = {
      driver: 'cephfs.csi.ceph.com',
      volumeHandle: 'h',
      nodeStageSecretRef: { name: 'ceph', namespace: 'orders' },
    };
    expect(reasons([statefulSet(), pv({ csi })])).toEqual([]);
    expect(
      reasons([
        statefulSet(),
        pv({
          csi: {
            ...csi,
            nodeStageSecretRef: { name: 'admin', namespace: 'ceph-csi' },
          },
        }),
      ]),
    ).toEqual([
      'PersistentVolume orders-orders-db-shared in eu-west: spec.csi.nodeStageSecretRef must name a Secret in orders, not in ceph-csi',
    ]);
    expect(reasons([statefulSet(), pv({ local: { path: '/mnt' } })])).toEqual([
      'PersistentVolume orders-orders-db-shared in eu-west: a PersistentVolume must be a CSI volume (the shared CephFS volume), not local',
    ]);
    expect(
      reasons([
        statefulSet(),
        pv({ csi, claimRef: { namespace: 'payments', name: 'x' } }),
      ]),
    ).toEqual([
      "PersistentVolume orders-orders-db-shared in eu-west: spec.claimRef.namespace must be the entity's namespace orders",
    ]);
    expect(
      reasons([
        statefulSet(),
        { ...pv({ csi }), metadata: { name: 'x', namespace: 'orders' } },
      ]),
    ).toEqual([
      'PersistentVolume orders/x in eu-west: a PersistentVolume is cluster-scoped: remove metadata.namespace',
    ]);
  });

  it('exports only Services of the request and selects only objects of the namespace', () => {
    const exportOf = (name: string): ManifestObject => ({
      apiVersion: 'multicluster.x-k8s.io/v1alpha1',
      kind: 'ServiceExport',
      metadata: { name, namespace: 'orders' },
    });
    expect(reasons([statefulSet(), exportOf('orders-mysql')])).toEqual([
      'ServiceExport orders/orders-mysql in eu-west: a ServiceExport exports the Service of its name; orders-mysql is not a Service of this request',
    ]);
    expect(
      reasons([
        statefulSet(),
        {
          apiVersion: 'policy.karmada.io/v1alpha1',
          kind: 'PropagationPolicy',
          metadata: { name: 'p', namespace: 'orders' },
          spec: {
            resourceSelectors: [
              {
                apiVersion: 'v1',
                kind: 'Secret',
                namespace: 'payments',
                name: 'x',
              },
              { apiVersion: 'v1', kind: 'Secret' },
            ],
          },
        },
      ]),
    ).toEqual([
      'PropagationPolicy orders/p in eu-west: spec.resourceSelectors may only select objects in orders, not payments',
      'PropagationPolicy orders/p in eu-west: spec.resourceSelectors must name each object (name), as the generator does',
    ]);
  });

  it("ties the workloads' kubernetes-id label to the entity's annotation", () => {
    const other = statefulSet();
    other.metadata.labels = { 'backstage.io/kubernetes-id': 'orders-mysql' };
    expect(reasons([other])).toEqual([
      "StatefulSet orders/orders-db in eu-west: the workload's backstage.io/kubernetes-id label is orders-mysql, but catalogInfo's backstage.io/kubernetes-id annotation is orders-db; they must match",
    ]);
  });

  it.each([
    ['apps/v1', 'Deployment', 'orders-db-mirrormaker'],
    ['batch/v1', 'Job', 'orders-db-ccr-0a1b2c'],
  ])(
    "accepts Kafka's MirrorMaker and Elasticsearch's set-up (%s %s), held to the node and kubernetes-id rules",
    (apiVersion, kind, name) => {
      const workload = (
        spec: Record<string, unknown> = {},
        id = 'orders-db',
      ): ManifestObject => ({
        ...statefulSet(spec),
        apiVersion,
        kind,
        metadata: {
          name,
          namespace: 'orders',
          labels: { 'backstage.io/kubernetes-id': id },
        },
      });
      expect(reasons([workload()])).toEqual([]);
      expect(reasons([workload({ hostNetwork: true })])).toEqual([
        `${kind} orders/${name} in eu-west: settings that reach the node are not accepted (the template never generates them): spec.template.spec.hostNetwork: true`,
      ]);
      expect(reasons([workload({}, 'orders-mysql')])).toEqual([
        `${kind} orders/${name} in eu-west: the workload's backstage.io/kubernetes-id label is orders-mysql, but catalogInfo's backstage.io/kubernetes-id annotation is orders-db; they must match`,
      ]);
    },
  );

  it('says every refusal in one 400 message, the first five in full', () => {
    const many = Array.from({ length: 7 }, (_, i) => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: `p${i}`, namespace: 'orders' },
    }));
    const error = new ManifestsRefusedError(check(many).violations);
    expect(error.name).toBe('InputError');
    expect(error.message).toMatch(
      /^manifests refused: Pod orders\/p0 in eu-west: /,
    );
    expect(error.message).toMatch(/; and 2 more$/);
    expect(error.violations).toHaveLength(7);
  });
});
