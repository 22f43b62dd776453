// Checks the package's CRDs load and validate manifests as an API server would.
import fs from 'node:fs';
import {
  crdDirectory,
  findCrd,
  jsPattern,
  loadCrds,
  validateAgainstCrd,
} from './crds';

const expectedKinds = [
  'networking.istio.io/v1 VirtualService',
  'networking.istio.io/v1 DestinationRule',
  'networking.istio.io/v1 ServiceEntry',
  'types.kubefed.io/v1beta1 FederatedNamespace',
  'types.kubefed.io/v1beta1 FederatedStatefulSet',
  'policy.karmada.io/v1alpha1 PropagationPolicy',
  'policy.karmada.io/v1alpha1 OverridePolicy',
  'multicluster.x-k8s.io/v1alpha1 ServiceExport',
  'postgresql.cnpg.io/v1 Cluster',
];

const virtualService = () => ({
  apiVersion: 'networking.istio.io/v1',
  kind: 'VirtualService',
  metadata: { name: 'orders-mysql', namespace: 'databases' },
  spec: {
    hosts: ['orders-mysql.databases.svc.cluster.local'],
    tcp: [
      {
        match: [{ port: 3306 }],
        route: [
          {
            destination: {
              host: 'orders-mysql.databases.svc.cluster.local',
              subset: 'eu-central',
              port: { number: 3306 },
            },
            weight: 100,
          },
          {
            destination: {
              host: 'orders-mysql.databases.svc.cluster.local',
              subset: 'eu-west',
            },
            weight: 0,
          },
        ],
      },
    ],
  },
});

const cnpgCluster = () => ({
  apiVersion: 'postgresql.cnpg.io/v1',
  kind: 'Cluster',
  metadata: { name: 'billing-postgres', namespace: 'databases' },
  spec: {
    instances: 3,
    imageName: 'ghcr.io/cloudnative-pg/postgresql:17',
    storage: { size: '20Gi', storageClass: 'gp3' },
    resources: { requests: { cpu: '500m', memory: '1Gi' } },
    replica: { self: 'eu-west', primary: 'eu-central', source: 'eu-central' },
    externalClusters: [
      {
        name: 'eu-central',
        connectionParameters: { host: 'billing-postgres-rw.eu-central' },
      },
    ],
  },
  status: {
    instances: 3,
    readyInstances: 3,
    phase: 'Cluster in healthy state',
  },
});

describe('loadCrds', () => {
  it('loads one served storage version for every kind the product uses', () => {
    const crds = loadCrds();
    const files = fs
      .readdirSync(crdDirectory())
      .filter(f => f.endsWith('.yaml'));
    // The operators' CRDs (crds/operators/) come on top of the product's.
    const productGroups = new Set(expectedKinds.map(k => k.split('/')[0]));
    const productCrds = crds.filter(c => productGroups.has(c.spec.group));
    expect(productCrds).toHaveLength(files.length);
    const kinds = productCrds.flatMap(c =>
      c.spec.versions
        .filter(v => v.served && v.storage)
        .map(v => `${c.spec.group}/${v.name} ${c.spec.names.kind}`),
    );
    expect(kinds.sort()).toEqual([...expectedKinds].sort());
    for (const crd of crds) {
      expect(crd.metadata.name).toBe(
        `${crd.spec.names.plural}.${crd.spec.group}`,
      );
      for (const version of crd.spec.versions) {
        expect(version.schema?.openAPIV3Schema.type).toBe('object');
      }
    }
  });

  it('finds a CRD by apiVersion and kind', () => {
    expect(findCrd('postgresql.cnpg.io/v1', 'Cluster')?.metadata.name).toBe(
      'clusters.postgresql.cnpg.io',
    );
    expect(findCrd('apps/v1', 'StatefulSet')).toBeUndefined();
  });

  it('gives the CNPG Cluster a status subresource and its printer columns', () => {
    const version = findCrd('postgresql.cnpg.io/v1', 'Cluster')!.spec
      .versions[0];
    expect(version.subresources?.status).toEqual({});
    expect(version.additionalPrinterColumns?.map(c => c.name)).toEqual([
      'Age',
      'Instances',
      'Ready',
      'Status',
      'Primary',
    ]);
  });
});

describe('validateAgainstCrd', () => {
  it('accepts valid samples', () => {
    expect(validateAgainstCrd(virtualService())).toEqual([]);
    expect(validateAgainstCrd(cnpgCluster())).toEqual([]);
    expect(
      validateAgainstCrd({
        apiVersion: 'policy.karmada.io/v1alpha1',
        kind: 'OverridePolicy',
        metadata: { name: 'x', namespace: 'databases' },
        spec: {
          resourceSelectors: [{ apiVersion: 'apps/v1', kind: 'StatefulSet' }],
          overrideRules: [
            {
              targetCluster: { clusterNames: ['eu-west'] },
              overriders: {
                plaintext: [
                  {
                    path: '/spec/ordinals/start',
                    operator: 'replace',
                    value: 10,
                  },
                ],
              },
            },
          ],
        },
      }),
    ).toEqual([]);
  });

  it('reports a wrong type at its field path', () => {
    const vs = virtualService();
    (vs.spec.tcp[0].route[0] as any).weight = 'all';
    expect(validateAgainstCrd(vs)).toEqual([
      { path: 'spec.tcp[0].route[0].weight', message: 'must be integer' },
    ]);
  });

  it('reports an unknown field', () => {
    const cluster = cnpgCluster();
    (cluster.spec.replica as any).promote = true;
    expect(validateAgainstCrd(cluster)).toEqual([
      { path: 'spec.replica.promote', message: 'unknown field "promote"' },
    ]);
  });

  it('reports missing required fields and values outside an enum', () => {
    const errors = validateAgainstCrd({
      apiVersion: 'policy.karmada.io/v1alpha1',
      kind: 'PropagationPolicy',
      metadata: { name: 'x' },
      spec: {
        placement: { replicaScheduling: { replicaSchedulingType: 'x' } },
      },
    });
    expect(errors).toContainEqual({
      path: 'spec.resourceSelectors',
      message: 'Required value',
    });
    expect(errors.map(e => e.path)).toContain(
      'spec.placement.replicaScheduling.replicaSchedulingType',
    );
  });

  it('types pass-through parts as upstream does and keeps int-or-string quantities flexible', () => {
    const cluster = cnpgCluster();
    (cluster.spec.resources.requests as any).cpu = 2;
    expect(validateAgainstCrd(cluster)).toEqual([]);
    (cluster.spec as any).backup = { barmanObjectStore: { anything: [1] } };
    expect(validateAgainstCrd(cluster)).toEqual(
      expect.arrayContaining([
        {
          path: 'spec.backup.barmanObjectStore.anything',
          message: 'unknown field "anything"',
        },
      ]),
    );
  });

  it('rejects versions that are not served and ignores built-in kinds', () => {
    expect(
      validateAgainstCrd({
        ...virtualService(),
        apiVersion: 'networking.istio.io/v9',
      }),
    ).toEqual([expect.objectContaining({ path: 'apiVersion' })]);
    expect(
      validateAgainstCrd({
        apiVersion: 'apps/v1',
        kind: 'StatefulSet',
        metadata: { name: 'x' },
        spec: { whatever: true },
      }),
    ).toEqual([]);
  });
});

describe('validateAgainstCrd with CRDs given by the caller', () => {
  const crdWith = (spec: Record<string, unknown>): any => ({
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'widgets.example.com' },
    spec: {
      group: 'example.com',
      scope: 'Namespaced',
      names: { kind: 'Widget', plural: 'widgets' },
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          schema: {
            openAPIV3Schema: {
              type: 'object',
              properties: { spec: { type: 'object', properties: spec } },
            },
          },
        },
      ],
    },
  });
  const widget = (spec: Record<string, unknown>) => ({
    apiVersion: 'example.com/v1',
    kind: 'Widget',
    metadata: { name: 'w', namespace: 'ns', labels: { a: 'b' } },
    spec,
  });

  it('checks each CRD by its own schema, even when two share a name', () => {
    const open = crdWith({ size: { type: 'string' } });
    const strict = crdWith({ size: { type: 'integer' } });
    expect(validateAgainstCrd(widget({ size: 'big' }), [open])).toEqual([]);
    expect(validateAgainstCrd(widget({ size: 'big' }), [strict])).toEqual([
      { path: 'spec.size', message: 'must be integer' },
    ]);
  });

  it('accepts apiVersion, kind and metadata when the schema does not list them', () => {
    expect(validateAgainstCrd(widget({}), [crdWith({})])).toEqual([]);
  });

  it('reads Go patterns with escapes JavaScript refuses in Unicode mode', () => {
    expect(jsPattern('^[a-z]+\\ [0-9]+$')).toBe('^[a-z]+ [0-9]+$');
    expect(jsPattern('^a\\.b\\\\c\\d$')).toBe('^a\\.b\\\\c\\d$');
    const crd = crdWith({ name: { type: 'string', pattern: '^\\w+\\ \\w+$' } });
    expect(validateAgainstCrd(widget({ name: 'two words' }), [crd])).toEqual(
      [],
    );
    expect(
      validateAgainstCrd(widget({ name: 'oneword' }), [crd]).map(e => e.path),
    ).toEqual(['spec.name']);
  });
});
