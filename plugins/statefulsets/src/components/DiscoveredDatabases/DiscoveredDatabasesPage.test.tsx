import { screen } from '@testing-library/react';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import { catalogApiMock } from '@backstage/plugin-catalog-react/testUtils';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import {
  DiscoveredDatabase,
  DiscoveredDatabases,
  multiClusterStatefulSetsApiRef,
} from '../../api';
import { DiscoveredDatabasesPage } from './DiscoveredDatabasesPage';
import { notInCatalogYet, suggestedEntityYaml, toYaml } from './notInCatalog';

function candidate(
  name: string,
  extra: Partial<DiscoveredDatabase> = {},
): DiscoveredDatabase {
  const annotations = {
    'backstage.io/kubernetes-label-selector': `strimzi.io/cluster=${name}`,
    'backstage.io/kubernetes-namespace': 'databases',
    'multicluster-statefulsets/engine': 'kafka',
  };
  return {
    id: `operator/databases/strimzi/Kafka/${name}`,
    name,
    namespace: 'databases',
    engine: 'kafka',
    grouping: 'operator',
    groupedBy: 'same Strimzi Kafka name',
    clusters: ['eu-central', 'us-east'],
    objects: [
      { cluster: 'eu-central', kind: 'Kafka', namespace: 'databases', name },
      { cluster: 'us-east', kind: 'Kafka', namespace: 'databases', name },
    ],
    owner: 'group:default/database-platform',
    entityRef: `component:default/${name}`,
    annotations,
    entity: {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: { name, namespace: 'default', annotations },
      spec: {
        type: 'database',
        lifecycle: 'production',
        owner: 'group:default/database-platform',
      },
    },
    ...extra,
  };
}

const answer: DiscoveredDatabases = {
  enabled: true,
  providerEnabled: true,
  refreshedAt: '2026-12-06T05:00:00Z',
  clusters: [
    { name: 'eu-central', objects: 3 },
    { name: 'eu-west', objects: 0, error: 'no answer within 5000 ms' },
    { name: 'us-east', objects: 3 },
  ],
  items: [
    candidate('clickstream'),
    candidate('orphan', {
      entity: undefined,
      owner: undefined,
      reason:
        'no owner: label the resources with backstage.io/owner=<ref> or set multiclusterStatefulsets.discovery.defaultOwner',
    }),
    candidate('registered'),
    candidate('by-hand', { catalogMatch: 'component:default/kafka-by-hand' }),
  ],
};

async function renderPage(body: DiscoveredDatabases) {
  const api = { listDiscoveredDatabases: jest.fn(async () => body) };
  const catalogApi = catalogApiMock({
    entities: [
      {
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Component',
        metadata: { name: 'registered', namespace: 'default' },
      },
    ],
  });
  await renderInTestApp(
    <TestApiProvider
      apis={[
        [multiClusterStatefulSetsApiRef, api as any],
        [catalogApiRef, catalogApi],
      ]}
    >
      <DiscoveredDatabasesPage />
    </TestApiProvider>,
  );
  return api;
}

describe('DiscoveredDatabasesPage', () => {
  it('lists the discovered databases the catalog lacks, with clusters, grouping, why and the YAML', async () => {
    await renderPage(answer);
    expect((await screen.findAllByText('clickstream')).length).toBeGreaterThan(
      0,
    );
    expect(screen.getAllByText('orphan').length).toBeGreaterThan(0);
    // In the catalog by its ref, or matched to an entity registered elsewhere.
    expect(screen.queryByText('registered')).not.toBeInTheDocument();
    expect(screen.queryByText('by-hand')).not.toBeInTheDocument();

    expect(
      screen.getAllByText(/grouped by same Strimzi Kafka name/),
    ).toHaveLength(2);
    expect(screen.getAllByText('us-east').length).toBeGreaterThan(0);
    expect(
      screen.getByText(/Why it is not registered: no owner/),
    ).toBeInTheDocument();
    expect(
      screen.getByText(/Why it is not registered: registered entity missing/),
    ).toBeInTheDocument();
    expect(
      screen.getByText(/eu-west: no answer within 5000 ms/),
    ).toBeInTheDocument();
    expect(
      screen.getAllByText(/strimzi.io\/cluster=clickstream/).length,
    ).toBeGreaterThan(0);
  });

  it('says when discovery is off', async () => {
    await renderPage({
      enabled: false,
      providerEnabled: false,
      clusters: [],
      items: [],
    });
    expect(await screen.findByText('Discovery is off')).toBeInTheDocument();
  });
});

describe('notInCatalogYet', () => {
  it('says the provider is off when an owned candidate is missing and the provider is not on', () => {
    const [row] = notInCatalogYet(
      { ...answer, providerEnabled: false, items: [candidate('x')] },
      () => false,
    );
    expect(row.why).toMatch(/^discovery provider off/);
  });
});

describe('suggestedEntityYaml', () => {
  it('renders the entity, with an owner to fill in when none is known', () => {
    const yaml = suggestedEntityYaml(
      candidate('orphan', { entity: undefined, owner: undefined }),
    );
    expect(yaml).toBe(
      [
        'apiVersion: backstage.io/v1alpha1',
        'kind: Component',
        'metadata:',
        '  name: orphan',
        '  namespace: default',
        '  annotations:',
        '    backstage.io/kubernetes-label-selector: strimzi.io/cluster=orphan',
        '    backstage.io/kubernetes-namespace: databases',
        '    multicluster-statefulsets/engine: kafka',
        'spec:',
        '  type: database',
        '  lifecycle: production',
        '  owner: "<owner entity ref>"',
        '',
      ].join('\n'),
    );
  });

  it('quotes what YAML would read otherwise', () => {
    expect(
      toYaml({ a: 'true', b: '1.5', c: 'x: y', d: ['p', { q: 'r' }] }),
    ).toBe('a: "true"\nb: "1.5"\nc: "x: y"\nd:\n  - p\n  - q: r\n');
  });
});
