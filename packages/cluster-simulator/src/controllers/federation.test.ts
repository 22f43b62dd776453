// Drives the Karmada and KubeFed controllers against in-memory fake clusters.
import {
  applyJsonPatchOp,
  applyOverriders,
  isKarmadaTemplateOnly,
  karmadaController,
  kubefedController,
  matchesLabelSelector,
} from './federation';
import { FakeWorld } from './testing';
import type { KubeObject } from './types';

const NS = 'databases';
const KARMADA = 'policy.karmada.io/v1alpha1';
const KUBEFED = 'types.kubefed.io/v1beta1';

function statefulSet(name: string, replicas = 3): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: {
      name,
      namespace: NS,
      labels: { 'backstage.io/kubernetes-id': name },
      annotations: { 'multicluster-statefulsets/role': 'active' },
    },
    spec: {
      replicas,
      serviceName: `${name}-headless`,
      ordinals: { start: 0 },
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          containers: [{ name: 'db', image: 'docker.io/library/mysql:8.4' }],
        },
      },
    },
  };
}

function propagationPolicy(
  clusterNames: string[],
  extra: object = {},
): KubeObject {
  return {
    apiVersion: KARMADA,
    kind: 'PropagationPolicy',
    metadata: { name: 'catalog-karmada', namespace: NS },
    spec: {
      resourceSelectors: [
        { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'catalog-karmada' },
        { apiVersion: 'v1', kind: 'Service', name: 'catalog-karmada' },
      ],
      placement: {
        clusterAffinity: { clusterNames },
        replicaScheduling: { replicaSchedulingType: 'Duplicated' },
      },
      ...extra,
    },
  };
}

const overridePolicy: KubeObject = {
  apiVersion: KARMADA,
  kind: 'OverridePolicy',
  metadata: { name: 'catalog-karmada', namespace: NS },
  spec: {
    resourceSelectors: [
      { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'catalog-karmada' },
    ],
    overrideRules: [
      {
        targetCluster: { clusterNames: ['eu-west'] },
        overriders: {
          plaintext: [
            { path: '/spec/ordinals/start', operator: 'replace', value: 10 },
          ],
          annotationsOverrider: [
            {
              operator: 'add',
              value: {
                'multicluster-statefulsets/role': 'passive',
                'multicluster-statefulsets/replication-source': 'eu-central',
              },
            },
          ],
          labelsOverrider: [{ operator: 'add', value: { tier: 'standby' } }],
          imageOverrider: [
            {
              component: 'Registry',
              operator: 'replace',
              value: 'mirror.eu-west.example',
            },
          ],
        },
      },
    ],
  },
};

function karmadaWorld() {
  const world = FakeWorld.demo({
    'eu-central': 'karmada',
    'us-east': 'kubefed',
  });
  const host = world.cluster('eu-central');
  host.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
  host.create(statefulSet('catalog-karmada'));
  host.create({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'catalog-karmada', namespace: NS },
    spec: { clusterIP: '10.96.0.20', ports: [{ port: 5432 }] },
  });
  host.create(propagationPolicy(['eu-central', 'eu-west']));
  host.create(overridePolicy);
  return { world, host, controllers: [karmadaController()] };
}

const sts = (world: FakeWorld, cluster: string, name = 'catalog-karmada') =>
  world.cluster(cluster).get('apps/v1', 'StatefulSet', NS, name);

describe('JSON pointer edits', () => {
  it('adds, replaces and removes in objects and arrays', () => {
    const doc: any = { a: { 'b/c': 1 }, list: [1, 2] };
    applyJsonPatchOp(doc, 'replace', '/a/b~1c', 2);
    applyJsonPatchOp(doc, 'add', '/list/-', 3);
    applyJsonPatchOp(doc, 'add', '/list/0', 0);
    applyJsonPatchOp(doc, 'remove', '/list/1');
    applyJsonPatchOp(doc, 'add', '/metadata/annotations/x', 'y');
    expect(doc).toEqual({
      a: { 'b/c': 2 },
      list: [0, 2, 3],
      metadata: { annotations: { x: 'y' } },
    });
    expect(() => applyJsonPatchOp(doc, 'add', '/list/9', 1)).toThrow(/range/);
    expect(() => applyJsonPatchOp(doc, 'add', 'list', 1)).toThrow(/pointer/);
  });

  it('rewrites image components and container commands', () => {
    const obj = statefulSet('x');
    obj.spec.template.spec.containers[0].command = ['mysqld'];
    applyOverriders(obj, {
      imageOverrider: [
        { component: 'Tag', operator: 'replace', value: '8.4.3' },
        { component: 'Registry', operator: 'remove' },
      ],
      commandOverrider: [
        { containerName: 'db', operator: 'add', value: ['--super-read-only'] },
      ],
    });
    expect(obj.spec.template.spec.containers[0]).toMatchObject({
      image: 'library/mysql:8.4.3',
      command: ['mysqld', '--super-read-only'],
    });
  });

  it('edits JSON and YAML documents held in a field', () => {
    const cm: KubeObject = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'x' },
      data: {
        'app.json': '{"region":"eu-central-1"}',
        'app.yaml': 'replicas: 1\n',
      },
    };
    applyOverriders(cm, {
      fieldOverrider: [
        {
          fieldPath: '/data/app.json',
          json: [
            { subPath: '/region', operator: 'replace', value: 'eu-west-1' },
          ],
        },
        {
          fieldPath: '/data/app.yaml',
          yaml: [{ subPath: '/replicas', operator: 'replace', value: 3 }],
        },
      ],
    });
    expect(cm.data).toEqual({
      'app.json': '{"region":"eu-west-1"}',
      'app.yaml': 'replicas: 3\n',
    });
  });

  it('matches label selectors with expressions', () => {
    const labels = { region: 'eu-west-1', name: 'eu-west' };
    expect(
      matchesLabelSelector(labels, { matchLabels: { region: 'eu-west-1' } }),
    ).toBe(true);
    expect(
      matchesLabelSelector(labels, {
        matchExpressions: [
          { key: 'region', operator: 'NotIn', values: ['eu-west-1'] },
        ],
      }),
    ).toBe(false);
    expect(
      matchesLabelSelector(labels, {
        matchExpressions: [{ key: 'zone', operator: 'Exists' }],
      }),
    ).toBe(false);
  });
});

describe('karmadaController', () => {
  it('propagates selected objects to placed members with overrides applied', () => {
    const { world, host, controllers } = karmadaWorld();
    world.reconcile(controllers);
    const copy = sts(world, 'eu-west')!;
    expect(copy.spec.ordinals.start).toBe(10);
    expect(copy.spec.replicas).toBe(3);
    expect(copy.spec.template.spec.containers[0].image).toBe(
      'mirror.eu-west.example/library/mysql:8.4',
    );
    expect(copy.metadata.labels).toMatchObject({
      'backstage.io/kubernetes-id': 'catalog-karmada',
      tier: 'standby',
      'karmada.io/managed': 'true',
      'propagationpolicy.karmada.io/name': 'catalog-karmada',
    });
    expect(copy.metadata.annotations).toMatchObject({
      'multicluster-statefulsets/role': 'passive',
      'multicluster-statefulsets/replication-source': 'eu-central',
    });
    expect(copy.status).toBeUndefined();
    // The namespace was created in the member, the Service went along
    // without the host's cluster IP.
    expect(
      world.cluster('eu-west').get('v1', 'Namespace', undefined, NS),
    ).toBeDefined();
    const svc = world
      .cluster('eu-west')
      .get('v1', 'Service', NS, 'catalog-karmada')!;
    expect(svc.spec.clusterIP).toBeUndefined();
    // Nothing for the unplaced member, and none on the API server although
    // the policy names it: it is no member, the template there is no copy.
    expect(sts(world, 'us-east')).toBeUndefined();
    const template = sts(world, 'eu-central')!;
    expect(template.spec.ordinals.start).toBe(0);
    expect(
      template.metadata.annotations!['propagationpolicy.karmada.io/name'],
    ).toBe('catalog-karmada');
    expect(host.list('apps/v1', 'StatefulSet', NS)).toHaveLength(1);
  });

  it('re-syncs on template changes and keeps what members own', () => {
    const { world, host, controllers } = karmadaWorld();
    world.reconcile(controllers);
    const member = world.cluster('eu-west');
    const copy = sts(world, 'eu-west')!;
    copy.metadata.annotations![
      'multicluster-statefulsets/replication-lag-seconds'
    ] = '0.4';
    copy.spec.replicas = 1; // drift a member must not keep
    member.update(copy);

    const template = sts(world, 'eu-central')!;
    template.spec.replicas = 5;
    template.metadata.annotations!['example.com/owner'] = 'dba';
    host.update(template);
    world.reconcile(controllers);
    const synced = sts(world, 'eu-west')!;
    expect(synced.spec.replicas).toBe(5);
    expect(synced.metadata.annotations).toMatchObject({
      'multicluster-statefulsets/replication-lag-seconds': '0.4',
      'example.com/owner': 'dba',
    });

    // A key dropped from the template is dropped from the member too.
    const again = sts(world, 'eu-central')!;
    delete again.metadata.annotations!['example.com/owner'];
    host.update(again);
    world.reconcile(controllers);
    expect(
      sts(world, 'eu-west')!.metadata.annotations!['example.com/owner'],
    ).toBeUndefined();

    const writes = member.writes;
    world.reconcile(controllers);
    expect(member.writes).toBe(writes);
  });

  it('moves objects when the placement changes', () => {
    const { world, host, controllers } = karmadaWorld();
    world.reconcile(controllers);
    expect(sts(world, 'eu-west')).toBeDefined();
    host.update(propagationPolicy(['eu-central', 'us-east']) as KubeObject);
    world.reconcile(controllers);
    expect(sts(world, 'eu-west')).toBeUndefined();
    expect(
      world.cluster('eu-west').get('v1', 'Service', NS, 'catalog-karmada'),
    ).toBeUndefined();
    expect(sts(world, 'us-east')!.spec.ordinals.start).toBe(0);
  });

  it('leaves foreign member objects alone unless told to overwrite', () => {
    const { world, host, controllers } = karmadaWorld();
    world.ensureNamespace(NS);
    const foreign = statefulSet('catalog-karmada', 7);
    world.cluster('eu-west').create(foreign);
    world.reconcile(controllers);
    expect(sts(world, 'eu-west')!.spec.replicas).toBe(7);
    host.update(
      propagationPolicy(['eu-central', 'eu-west'], {
        conflictResolution: 'Overwrite',
      }),
    );
    world.reconcile(controllers);
    expect(sts(world, 'eu-west')!.spec.replicas).toBe(3);
    expect(sts(world, 'eu-west')!.metadata.labels!['karmada.io/managed']).toBe(
      'true',
    );
  });

  it('aggregates member status on the template', () => {
    const { world, host, controllers } = karmadaWorld();
    host.update(propagationPolicy(['eu-central', 'eu-west', 'us-east']));
    world.reconcile(controllers);
    for (const [cluster, readyReplicas] of [
      ['eu-west', 3],
      ['us-east', 1],
    ] as const) {
      const copy = sts(world, cluster)!;
      world
        .cluster(cluster)
        .updateStatus({ ...copy, status: { replicas: 3, readyReplicas } });
    }
    world.reconcile(controllers);
    expect(sts(world, 'eu-central')!.status).toMatchObject({
      replicas: 6,
      readyReplicas: 4,
    });
  });

  it('runs nothing on the Karmada API server, whatever its policies name', () => {
    const { world, host, controllers } = karmadaWorld();
    const template = sts(world, 'eu-central')!;
    // The policy names the API server itself: still only a template there.
    expect(isKarmadaTemplateOnly(world.context('eu-central'), template)).toBe(
      true,
    );
    expect(isKarmadaTemplateOnly(world.context('eu-west'), template)).toBe(
      false,
    );
    host.update(propagationPolicy(['eu-central']));
    world.reconcile(controllers);
    expect(host.list('apps/v1', 'StatefulSet', NS)).toHaveLength(1);
    expect(isKarmadaTemplateOnly(world.context('eu-central'), template)).toBe(
      true,
    );
    expect(sts(world, 'eu-west')).toBeUndefined();
  });

  it('divides replicas for Divided scheduling', () => {
    const { world, host, controllers } = karmadaWorld();
    const policy = propagationPolicy(['eu-west', 'us-east']);
    policy.spec.placement.replicaScheduling = {
      replicaSchedulingType: 'Divided',
      replicaDivisionPreference: 'Weighted',
      weightPreference: {
        staticWeightList: [
          { targetCluster: { clusterNames: ['eu-west'] }, weight: 2 },
          { targetCluster: { clusterNames: ['us-east'] }, weight: 1 },
        ],
      },
    };
    host.update(policy);
    world.reconcile(controllers);
    expect(sts(world, 'eu-west')!.spec.replicas).toBe(2);
    expect(sts(world, 'us-east')!.spec.replicas).toBe(1);
  });

  it('acts only in the Karmada host', () => {
    const world = FakeWorld.demo({ 'eu-central': 'karmada' });
    world.ensureNamespace(NS);
    const notHost = world.cluster('eu-west');
    notHost.create(statefulSet('catalog-karmada'));
    notHost.create(propagationPolicy(['us-east']));
    world.reconcile([karmadaController()]);
    expect(sts(world, 'us-east')).toBeUndefined();

    // A world that installs Karmada nowhere propagates nothing, whoever
    // holds policies: no control plane reads them.
    const unmarked = FakeWorld.demo();
    unmarked.ensureNamespace(NS);
    unmarked.cluster('eu-west').create(statefulSet('catalog-karmada'));
    unmarked.cluster('eu-west').create(propagationPolicy(['us-east']));
    unmarked.reconcile([karmadaController()]);
    expect(sts(unmarked, 'us-east')).toBeUndefined();
    expect(
      isKarmadaTemplateOnly(
        unmarked.context('eu-west'),
        statefulSet('catalog-karmada'),
      ),
    ).toBe(false);
  });

  it('places by the labels the world joined the members with', () => {
    const { world, host, controllers } = karmadaWorld();
    world.cluster('eu-west').labels = { tier: 'gold' };
    world.cluster('us-east').labels = { tier: 'silver' };
    const policy = propagationPolicy([]);
    policy.spec.placement.clusterAffinity = {
      labelSelector: { matchLabels: { tier: 'gold' } },
    };
    host.update(policy);
    world.reconcile(controllers);
    expect(sts(world, 'eu-west')).toBeDefined();
    expect(sts(world, 'us-east')).toBeUndefined();
    expect(
      isKarmadaTemplateOnly(
        world.context('eu-central'),
        sts(world, 'eu-central')!,
      ),
    ).toBe(true);
  });
});

function federatedStatefulSet(placement: object): KubeObject {
  const template = statefulSet('inventory-kubefed');
  return {
    apiVersion: KUBEFED,
    kind: 'FederatedStatefulSet',
    metadata: { name: 'inventory-kubefed', namespace: NS },
    spec: {
      template: { metadata: template.metadata, spec: template.spec },
      placement,
      overrides: [
        {
          clusterName: 'eu-west',
          clusterOverrides: [
            { path: '/spec/ordinals/start', value: 10 },
            { path: '/spec/replicas', value: 2 },
            {
              op: 'add',
              path: '/metadata/annotations/multicluster-statefulsets~1role',
              value: 'passive',
            },
          ],
        },
      ],
    },
  };
}

function kubefedWorld(placement: object) {
  const world = FakeWorld.demo({
    'eu-central': 'karmada',
    'us-east': 'kubefed',
  });
  const host = world.cluster('us-east');
  host.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
  // What the platform enables with `kubefedctl enable statefulsets.apps`
  // and `kubefedctl enable namespaces`.
  host.create({
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: 'kube-federation-system' },
  });
  for (const name of ['statefulsets.apps', 'namespaces']) {
    host.create({
      apiVersion: 'core.kubefed.io/v1beta1',
      kind: 'FederatedTypeConfig',
      metadata: { name, namespace: 'kube-federation-system' },
      spec: { propagation: 'Enabled' },
    });
  }
  host.create({
    apiVersion: KUBEFED,
    kind: 'FederatedNamespace',
    metadata: { name: NS, namespace: NS },
    spec: {
      placement: {
        clusters: [
          { name: 'eu-central' },
          { name: 'eu-west' },
          { name: 'us-east' },
        ],
      },
    },
  });
  host.create(federatedStatefulSet(placement));
  const fss = () =>
    host.get(KUBEFED, 'FederatedStatefulSet', NS, 'inventory-kubefed')!;
  return { world, host, fss, controllers: [kubefedController()] };
}

describe('kubefedController', () => {
  it('places the template with per-cluster overrides and reports status', () => {
    const { world, fss, controllers } = kubefedWorld({
      clusters: [{ name: 'eu-west' }, { name: 'us-east' }],
    });
    world.reconcile(controllers);
    const west = sts(world, 'eu-west', 'inventory-kubefed')!;
    const east = sts(world, 'us-east', 'inventory-kubefed')!;
    expect(west.spec).toMatchObject({ replicas: 2, ordinals: { start: 10 } });
    expect(west.metadata.annotations!['multicluster-statefulsets/role']).toBe(
      'passive',
    );
    expect(east.spec).toMatchObject({ replicas: 3, ordinals: { start: 0 } });
    expect(east.metadata.labels).toMatchObject({
      'kubefed.io/managed': 'true',
      'backstage.io/kubernetes-id': 'inventory-kubefed',
    });
    expect(sts(world, 'eu-central', 'inventory-kubefed')).toBeUndefined();
    expect(fss().status.clusters.map((c: any) => [c.name, c.status])).toEqual([
      ['eu-west', 'OK'],
      ['us-east', 'OK'],
    ]);
    expect(fss().status.conditions[0]).toMatchObject({
      type: 'Propagation',
      status: 'True',
    });
  });

  it('removes unplaced copies and reports unreachable or foreign members', () => {
    const { world, host, fss, controllers } = kubefedWorld({
      clusters: [{ name: 'eu-west' }, { name: 'us-east' }],
    });
    world.reconcile(controllers);
    const next = fss();
    next.spec.placement = {
      clusters: [{ name: 'us-east' }, { name: 'eu-central' }],
    };
    host.update(next);
    world.ensureNamespace(NS);
    world.cluster('eu-central').create(statefulSet('inventory-kubefed'));
    world.reconcile(controllers);
    expect(sts(world, 'eu-west', 'inventory-kubefed')).toBeUndefined();
    expect(fss().status.clusters).toContainEqual({
      name: 'eu-central',
      status: 'AlreadyExists',
    });
    expect(fss().status.conditions[0]).toMatchObject({
      status: 'False',
      reason: 'CheckClusters',
    });

    world.down.add('eu-west');
    next.spec.placement = { clusters: [{ name: 'eu-west' }] };
    host.update({ ...fss(), spec: next.spec });
    world.reconcile(controllers);
    expect(fss().status.clusters).toEqual([
      { name: 'eu-west', status: 'ClusterNotReady' },
    ]);
    expect(sts(world, 'us-east', 'inventory-kubefed')).toBeUndefined();
  });

  it('selects clusters by label', () => {
    const { world, controllers } = kubefedWorld({
      clusterSelector: {
        matchExpressions: [
          { key: 'region', operator: 'In', values: ['eu-west-1', 'us-east-1'] },
        ],
      },
    });
    world.reconcile(controllers);
    expect(sts(world, 'eu-west', 'inventory-kubefed')).toBeDefined();
    expect(sts(world, 'us-east', 'inventory-kubefed')).toBeDefined();
    expect(sts(world, 'eu-central', 'inventory-kubefed')).toBeUndefined();
  });

  it('propagates nothing without the type config for statefulsets.apps', () => {
    const { world, host, fss, controllers } = kubefedWorld({
      clusters: [{ name: 'eu-west' }, { name: 'us-east' }],
    });
    host.delete(
      'core.kubefed.io/v1beta1',
      'FederatedTypeConfig',
      'kube-federation-system',
      'statefulsets.apps',
    );
    world.reconcile(controllers);
    expect(sts(world, 'eu-west', 'inventory-kubefed')).toBeUndefined();
    expect(sts(world, 'us-east', 'inventory-kubefed')).toBeUndefined();
    expect(fss().status).toBeUndefined();
  });

  it('reports NamespaceNotFederated and places nothing without a FederatedNamespace', () => {
    const { world, host, fss, controllers } = kubefedWorld({
      clusters: [{ name: 'eu-west' }, { name: 'us-east' }],
    });
    host.delete(KUBEFED, 'FederatedNamespace', NS, NS);
    world.reconcile(controllers);
    expect(sts(world, 'eu-west', 'inventory-kubefed')).toBeUndefined();
    expect(fss().status.conditions[0]).toMatchObject({
      type: 'Propagation',
      status: 'False',
      reason: 'NamespaceNotFederated',
    });
  });

  it('places only in clusters the namespace is placed on', () => {
    const { world, host, controllers } = kubefedWorld({
      clusters: [{ name: 'eu-west' }, { name: 'us-east' }],
    });
    const fns = host.get(KUBEFED, 'FederatedNamespace', NS, NS)!;
    fns.spec.placement = { clusters: [{ name: 'us-east' }] };
    host.update(fns);
    world.reconcile(controllers);
    expect(sts(world, 'eu-west', 'inventory-kubefed')).toBeUndefined();
    expect(sts(world, 'us-east', 'inventory-kubefed')).toBeDefined();
  });

  it('does nothing outside the KubeFed host', () => {
    const { world, controllers } = kubefedWorld({
      clusters: [{ name: 'eu-west' }],
    });
    world.reconcile(
      controllers.map(c => ({
        name: c.name,
        reconcile: ctx =>
          ctx.cluster.name === 'us-east' ? undefined : c.reconcile(ctx),
      })),
    );
    expect(sts(world, 'eu-west', 'inventory-kubefed')).toBeUndefined();
  });
});
