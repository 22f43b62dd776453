import {
  ClusterObjects,
  emptyClusterObjects,
  KubeObject,
  OperatorConvention,
} from '@multicluster/backstage-plugin-statefulsets-common';
import {
  DiscoveryClusterInput,
  groupDatabases,
  GroupingOptions,
} from './groupDatabases';

const fakeKafka: OperatorConvention = {
  id: 'strimzi',
  title: 'Strimzi',
  engine: 'kafka',
  resources: objects => objects.strimziKafkas,
  selectorOf: r => `strimzi.io/cluster=${r.metadata.name}`,
  isRelated: () => true,
};

const noSelector: OperatorConvention = {
  id: 'eck',
  title: 'ECK',
  engine: 'elasticsearch',
  resources: objects => objects.elasticsearches,
  isRelated: () => true,
};

const options: GroupingOptions = {
  conventions: [fakeKafka, noSelector],
  ownerLabel: 'backstage.io/owner',
  lifecycle: 'production',
};

function sts(
  name: string,
  labels: Record<string, string>,
  extra: Partial<KubeObject['metadata']> = {},
  image = 'bitnami/mysql:8.4',
): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name, namespace: 'databases', labels, ...extra },
    spec: { template: { spec: { containers: [{ image }] } } },
  };
}

function kafka(name: string, labels: Record<string, string> = {}): KubeObject {
  return {
    apiVersion: 'kafka.strimzi.io/v1beta2',
    kind: 'Kafka',
    metadata: { name, namespace: 'databases', labels },
  };
}

function cluster(
  name: string,
  objects: Partial<ClusterObjects>,
): DiscoveryClusterInput {
  return { cluster: name, objects: { ...emptyClusterObjects(), ...objects } };
}

const OWNER = { 'backstage.io/owner': 'group:default/database-platform' };

describe('groupDatabases', () => {
  it('groups StatefulSets by the same backstage.io/kubernetes-id, whatever their release is called', () => {
    const [candidate, ...rest] = groupDatabases(
      [
        cluster('eu-central', {
          statefulSets: [
            sts('shop-eu', {
              'backstage.io/kubernetes-id': 'shop-mysql',
              'app.kubernetes.io/instance': 'shop-eu',
              ...OWNER,
            }),
          ],
        }),
        cluster('eu-west', {
          statefulSets: [
            sts('shop-west', {
              'backstage.io/kubernetes-id': 'shop-mysql',
              'app.kubernetes.io/instance': 'shop-west',
              ...OWNER,
            }),
          ],
        }),
      ],
      options,
    );
    expect(rest).toEqual([]);
    expect(candidate).toMatchObject({
      id: 'kubernetes-id/databases/shop-mysql',
      name: 'shop-mysql',
      grouping: 'kubernetes-id',
      groupedBy: 'same backstage.io/kubernetes-id',
      clusters: ['eu-central', 'eu-west'],
      engine: 'mysql',
      owner: 'group:default/database-platform',
      entityRef: 'component:default/shop-mysql',
    });
    expect(candidate.reason).toBeUndefined();
    expect(candidate.entity).toMatchObject({
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: {
        name: 'shop-mysql',
        namespace: 'default',
        annotations: {
          'backstage.io/kubernetes-id': 'shop-mysql',
          'backstage.io/kubernetes-namespace': 'databases',
          'multicluster-statefulsets/engine': 'mysql',
        },
      },
      spec: {
        type: 'database',
        lifecycle: 'production',
        owner: 'group:default/database-platform',
      },
    });
    expect(candidate.entity!.metadata.description).toContain('eu-central');
    expect(candidate.entity!.metadata.description).toContain(
      'StatefulSet databases/shop-west in eu-west',
    );
  });

  it('groups StatefulSets by the same Helm release of the same chart, selecting them by label', () => {
    const helm = (name: string) =>
      sts(name, {
        'app.kubernetes.io/instance': 'reviews',
        'app.kubernetes.io/name': 'postgresql',
        'helm.sh/chart': 'postgresql-15.5.2',
        ...OWNER,
      });
    const otherChart = sts('reviews-cache', {
      'app.kubernetes.io/instance': 'reviews',
      'helm.sh/chart': 'redis-18.1.0',
      ...OWNER,
    });
    const candidates = groupDatabases(
      [
        cluster('a', { statefulSets: [helm('reviews-primary'), otherChart] }),
        cluster('b', { statefulSets: [helm('reviews-read')] }),
      ],
      options,
    );
    expect(candidates).toHaveLength(1);
    expect(candidates[0]).toMatchObject({
      id: 'helm-release/databases/postgresql/reviews',
      grouping: 'helm-release',
      groupedBy: 'same Helm release',
      engine: 'postgresql',
      annotations: {
        'backstage.io/kubernetes-label-selector':
          'app.kubernetes.io/instance=reviews,app.kubernetes.io/name=postgresql',
        'backstage.io/kubernetes-namespace': 'databases',
      },
    });
    expect(candidates[0].objects.map(o => o.name)).toEqual([
      'reviews-primary',
      'reviews-read',
    ]);
  });

  it('groups operator resources by kind and name, with the convention’s selector and engine, leaving the StatefulSets it runs to it', () => {
    const owned = sts(
      'clickstream-kafka',
      { 'app.kubernetes.io/instance': 'clickstream' },
      { ownerReferences: [{ kind: 'Kafka', name: 'clickstream' }] },
    );
    const candidates = groupDatabases(
      [
        cluster('eu-central', {
          strimziKafkas: [
            kafka('clickstream', OWNER),
            // A node pool is part of its Kafka, not a database of its own.
            kafka('brokers', { 'strimzi.io/cluster': 'clickstream' }),
          ],
          statefulSets: [owned],
        }),
        cluster('us-east', {
          strimziKafkas: [
            kafka('clickstream', OWNER),
            kafka('brokers', { 'strimzi.io/cluster': 'clickstream' }),
          ],
          statefulSets: [
            sts('clickstream-zk', {
              'strimzi.io/cluster': 'clickstream',
              'app.kubernetes.io/instance': 'clickstream',
            }),
          ],
        }),
      ],
      options,
    );
    expect(candidates).toHaveLength(1);
    expect(candidates[0]).toMatchObject({
      id: 'operator/databases/strimzi/Kafka/clickstream',
      grouping: 'operator',
      groupedBy: 'same Strimzi Kafka name',
      engine: 'kafka',
      annotations: {
        'backstage.io/kubernetes-label-selector':
          'strimzi.io/cluster=clickstream',
        'multicluster-statefulsets/engine': 'kafka',
      },
    });
    expect(candidates[0].entity).toBeDefined();
  });

  it('does not offer a database found in one cluster only', () => {
    expect(
      groupDatabases(
        [
          cluster('a', {
            statefulSets: [
              sts('solo', { 'backstage.io/kubernetes-id': 'solo', ...OWNER }),
            ],
            strimziKafkas: [kafka('lonely', OWNER)],
          }),
          cluster('b', { strimziKafkas: [kafka('other', OWNER)] }),
        ],
        options,
      ),
    ).toEqual([]);
  });

  it('lists a database without an owner with the reason and no entity, never guessing one', () => {
    const [candidate] = groupDatabases(
      [
        cluster('a', { strimziKafkas: [kafka('events')] }),
        cluster('b', { strimziKafkas: [kafka('events')] }),
      ],
      options,
    );
    expect(candidate.entity).toBeUndefined();
    expect(candidate.owner).toBeUndefined();
    expect(candidate.reason).toBe(
      'no owner: label the resources with backstage.io/owner=<ref> or set multiclusterStatefulsets.discovery.defaultOwner',
    );
    expect(candidate.entityRef).toBe('component:default/events');
  });

  it('uses the configured default owner, and a label naming only the group', () => {
    const [byDefault] = groupDatabases(
      [
        cluster('a', { strimziKafkas: [kafka('events')] }),
        cluster('b', { strimziKafkas: [kafka('events')] }),
      ],
      { ...options, defaultOwner: 'group:default/dba' },
    );
    expect(byDefault.entity?.spec?.owner).toBe('group:default/dba');

    const [byName] = groupDatabases(
      [
        cluster('a', { strimziKafkas: [kafka('events', { team: 'dba' })] }),
        cluster('b', { strimziKafkas: [kafka('events')] }),
      ],
      { ...options, ownerLabel: 'team', defaultOwner: 'group:default/x' },
    );
    expect(byName.entity?.spec?.owner).toBe('group:default/dba');
    expect(byName.objects.find(o => o.cluster === 'a')?.owner).toBe('dba');
  });

  it('refuses to pick between resources naming different owners', () => {
    const [candidate] = groupDatabases(
      [
        cluster('a', { strimziKafkas: [kafka('events', { team: 'x' })] }),
        cluster('b', { strimziKafkas: [kafka('events', { team: 'y' })] }),
      ],
      { ...options, ownerLabel: 'team' },
    );
    expect(candidate.entity).toBeUndefined();
    expect(candidate.reason).toContain('different owners (x, y)');
  });

  it('skips objects the portal stamped for an entity', () => {
    const stamped = (name: string) =>
      sts(
        name,
        { 'backstage.io/kubernetes-id': 'orders-mysql', ...OWNER },
        {
          annotations: {
            'multicluster-statefulsets/owner-entity':
              'component:default/orders-mysql',
          },
        },
      );
    const stampedKafka = kafka('events', OWNER);
    stampedKafka.metadata.annotations = {
      'multicluster-statefulsets/owner-entity': 'component:default/events',
    };
    expect(
      groupDatabases(
        [
          cluster('a', {
            statefulSets: [stamped('orders-mysql')],
            strimziKafkas: [stampedKafka],
          }),
          cluster('b', {
            statefulSets: [stamped('orders-mysql')],
            strimziKafkas: [stampedKafka],
          }),
        ],
        options,
      ),
    ).toEqual([]);
  });

  it('keeps objects stamped for an entity discovery registered', () => {
    const stamped = kafka('events', OWNER);
    stamped.metadata.annotations = {
      'multicluster-statefulsets/owner-entity': 'events',
    };
    const [candidate] = groupDatabases(
      [
        cluster('a', { strimziKafkas: [stamped] }),
        cluster('b', { strimziKafkas: [stamped] }),
      ],
      {
        ...options,
        discoveredEntityRefs: new Set(['component:default/events']),
      },
    );
    expect(candidate.entityRef).toBe('component:default/events');
    expect(candidate.entity).toBeDefined();
  });

  it('gives no entity when the convention has no pod selector', () => {
    const es = (): KubeObject => ({
      kind: 'Elasticsearch',
      metadata: { name: 'logs', namespace: 'databases', labels: OWNER },
    });
    const [candidate] = groupDatabases(
      [
        cluster('a', { elasticsearches: [es()] }),
        cluster('b', { elasticsearches: [es()] }),
      ],
      options,
    );
    expect(candidate.groupedBy).toBe('same ECK Elasticsearch name');
    expect(candidate.entity).toBeUndefined();
    expect(candidate.reason).toContain('gives no label selector');
  });

  it('prefixes the namespace when two candidates would share an entity name', () => {
    const inNs = (ns: string) =>
      sts(
        'db',
        { 'backstage.io/kubernetes-id': 'db', ...OWNER },
        {
          namespace: ns,
        },
      );
    const names = groupDatabases(
      [
        cluster('a', { statefulSets: [inNs('one'), inNs('two')] }),
        cluster('b', { statefulSets: [inNs('one'), inNs('two')] }),
      ],
      options,
    ).map(c => c.entityRef);
    expect(names).toEqual([
      'component:default/one-db',
      'component:default/two-db',
    ]);
  });
});
