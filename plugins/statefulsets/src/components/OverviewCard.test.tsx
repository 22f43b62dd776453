import { screen } from '@testing-library/react';
import { Entity } from '@backstage/catalog-model';
import {
  EntityProvider,
  entityRouteRef,
} from '@backstage/plugin-catalog-react';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import {
  mockApis,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/test-utils';
import { mysqlTopology } from '../__fixtures__/topology';
import { multiClusterStatefulSetsApiRef } from '../api';
import { OverviewCard } from './OverviewCard';

const entity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'orders-mysql', namespace: 'default' },
  spec: {},
};

describe('OverviewCard', () => {
  it('summarises active, passive with lag, unreachable and the verdict', async () => {
    const api = {
      getTopology: jest.fn(async () => ({
        notModified: false as const,
        etag: '"1"',
        topology: mysqlTopology(),
      })),
      listClusters: jest.fn(),
      planFailover: jest.fn(),
      startFailover: jest.fn(),
      listFailoverRuns: jest.fn(),
      getFailoverRun: jest.fn(),
    };
    await renderInTestApp(
      <TestApiProvider
        apis={[
          [multiClusterStatefulSetsApiRef, api],
          [permissionApiRef, mockApis.permission()],
        ]}
      >
        <EntityProvider entity={entity}>
          <OverviewCard />
        </EntityProvider>
      </TestApiProvider>,
      {
        mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef },
      },
    );
    expect(
      await screen.findByText('eu-central · 100% traffic'),
    ).toBeInTheDocument();
    expect(
      screen.getByText('eu-west · lag 0.8 s · 0% traffic'),
    ).toBeInTheDocument();
    expect(screen.getByText('us-east (timeout)')).toBeInTheDocument();
    expect(screen.getByText('degraded')).toBeInTheDocument();
    expect(
      screen.getByRole('link', { name: /Open the Multi-cluster tab/ }),
    ).toHaveAttribute(
      'href',
      '/catalog/default/component/orders-mysql/multi-cluster',
    );
  });
});
