import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { CompoundEntityRef, Entity } from '@backstage/catalog-model';
import { ResponseError } from '@backstage/errors';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { signalApiRef } from '@backstage/plugin-signals-react';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import {
  mockApis,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/test-utils';
import {
  EntityTopology,
  FailoverRun,
} from '@multicluster/backstage-plugin-statefulsets-common';
import { mysqlTopology } from '../__fixtures__/topology';
import {
  MultiClusterStatefulSetsApi,
  multiClusterStatefulSetsApiRef,
} from '../api';
import { MultiClusterContent } from './MultiClusterContent';

const entity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'orders-mysql',
    annotations: { 'multicluster-statefulsets/engine': 'mysql' },
  },
  spec: { type: 'database', owner: 'group:default/database-platform' },
};

function fakeApi(
  answers: Array<EntityTopology | Error>,
): jest.Mocked<MultiClusterStatefulSetsApi> {
  let call = 0;
  return {
    getTopology: jest.fn(async (_ref, options) => {
      const answer = answers[Math.min(call, answers.length - 1)];
      call += 1;
      if (answer instanceof Error) throw answer;
      const etag = `"v${Math.min(call, answers.length)}"`;
      if (options?.etag === etag) return { notModified: true as const, etag };
      return { notModified: false as const, etag, topology: answer };
    }),
    listClusters: jest.fn(),
    planFailover: jest.fn(),
    startFailover: jest.fn(),
    listFailoverRuns: jest.fn<Promise<FailoverRun[]>, [CompoundEntityRef]>(
      async () => [],
    ),
    getFailoverRun: jest.fn(),
    getLagHistory: jest.fn(async (ref, window) => ({
      entityRef: `component:default/${ref.name}`,
      window,
      from: 0,
      to: 3_600_000,
      thresholdSeconds: 5,
      links: [],
      runs: [],
    })),
  };
}

async function notFound(message: string) {
  const response = new Response(
    JSON.stringify({
      error: { name: 'NotFoundError', message },
      response: { statusCode: 404 },
    }),
    { status: 404, headers: { 'Content-Type': 'application/json' } },
  );
  return ResponseError.fromResponse(response);
}

function renderTab(
  api: MultiClusterStatefulSetsApi,
  extra: Array<[any, any]> = [],
) {
  return renderInTestApp(
    <TestApiProvider
      apis={[
        [multiClusterStatefulSetsApiRef, api],
        [permissionApiRef, mockApis.permission()],
        ...(extra as any),
      ]}
    >
      <EntityProvider entity={entity}>
        <MultiClusterContent />
      </EntityProvider>
    </TestApiProvider>,
  );
}

describe('MultiClusterContent', () => {
  it('shows every cluster by region with roles, traffic, pods and lag', async () => {
    await renderTab(fakeApi([mysqlTopology()]));

    const central = await screen.findByRole('region', { name: 'eu-central' });
    expect(within(central).getByText('active')).toBeInTheDocument();
    expect(within(central).getByText('Traffic 100%')).toBeInTheDocument();
    expect(
      within(central).getByRole('list', {
        name: 'Pods of orders-mysql in eu-central',
      }).children,
    ).toHaveLength(3);
    expect(
      within(central).getByLabelText(
        'Pod orders-mysql-0, Running, ready, primary, 0 restarts',
      ),
    ).toBeInTheDocument();

    const west = screen.getByRole('region', { name: 'eu-west' });
    expect(within(west).getByText('passive')).toBeInTheDocument();
    expect(within(west).getByText('Traffic 0%')).toBeInTheDocument();
    expect(
      within(west).getByLabelText(
        'Pod orders-mysql-12, Running, ready, replica, 3 restarts',
      ),
    ).toBeInTheDocument();

    expect(screen.getByText('eu-central-1')).toBeInTheDocument();
    expect(screen.getByText('us-east-1')).toBeInTheDocument();
    const links = screen.getByRole('list', { name: 'Replication links' });
    expect(links).toHaveTextContent(
      'eu-central → eu-west (orders-mysql): lag 0.8 s',
    );
  });

  it('shows an unreachable cluster in its place while the others render', async () => {
    await renderTab(fakeApi([mysqlTopology()]));
    const east = await screen.findByRole('region', { name: 'us-east' });
    expect(east).toHaveTextContent(
      'Unreachable (timeout): no answer within 5000 ms',
    );
    expect(
      screen.getByRole('region', { name: 'eu-west' }),
    ).not.toHaveTextContent('Unreachable');
  });

  it('highlights drift and lists readiness checks with evidence', async () => {
    await renderTab(fakeApi([mysqlTopology()]));
    const table = await screen.findByRole('table', {
      name: 'Drift between clusters',
    });
    const differing = table.querySelectorAll('[data-differs]');
    expect(differing).toHaveLength(1);
    expect(differing[0]).toHaveTextContent('mysql:8.4.2');
    const checks = screen.getByRole('list', { name: 'Readiness checks' });
    expect(checks).toHaveTextContent('Same image everywhere');
    expect(checks).toHaveTextContent('eu-west mysql:8.4.2');
    expect(screen.getAllByText('degraded').length).toBeGreaterThan(0);
  });

  it('shows progress until the first answer', async () => {
    const api = fakeApi([mysqlTopology()]);
    api.getTopology.mockImplementation(() => new Promise(() => {}));
    await renderTab(api);
    expect(screen.getByTestId('progress')).toBeInTheDocument();
  });

  it('names the annotation to add when the backend has no topology', async () => {
    const error = await notFound(
      'Entity component:default/orders-mysql has no backstage.io/kubernetes-id annotation; add it',
    );
    await renderTab(fakeApi([error]));
    expect(
      await screen.findByText('No multi-cluster topology for this entity'),
    ).toBeInTheDocument();
    expect(document.body).toHaveTextContent(
      'has no backstage.io/kubernetes-id annotation; add it',
    );
  });

  it('names the missing permission on 403', async () => {
    const response = new Response(
      JSON.stringify({
        error: { name: 'NotAllowedError', message: 'Unauthorized' },
        response: { statusCode: 403 },
      }),
      { status: 403, headers: { 'Content-Type': 'application/json' } },
    );
    await renderTab(fakeApi([await ResponseError.fromResponse(response)]));
    expect(
      await screen.findByText(/multicluster-statefulsets\.topology\.read/),
    ).toBeInTheDocument();
  });

  it('applies a pushed change in place, keeping the drawer open', async () => {
    const changed = mysqlTopology();
    changed.clusters[1].workloads[0].replicas.desired = 5;
    const api = fakeApi([mysqlTopology(), changed]);
    let deliver: (message: { etag: string }) => void = () => {};
    const signalApi = {
      subscribe: jest.fn((_channel: string, onMessage: any) => {
        deliver = onMessage;
        return { unsubscribe: jest.fn() };
      }),
    };
    await renderTab(api, [[signalApiRef, signalApi]]);

    const west = await screen.findByRole('region', { name: 'eu-west' });
    await userEvent.click(
      within(west).getByRole('button', { name: 'StatefulSet orders-mysql' }),
    );
    const drawer = await screen.findByRole('dialog', {
      name: 'StatefulSet orders-mysql',
    });
    expect(
      within(drawer).getByRole('row', { name: 'Replicas desired 3' }),
    ).toBeInTheDocument();

    expect(signalApi.subscribe).toHaveBeenCalledWith(
      'multicluster-statefulsets:topology:component:default/orders-mysql',
      expect.any(Function),
    );
    await act(async () => deliver({ etag: '"v2"' }));

    await waitFor(() =>
      expect(
        within(
          screen.getByRole('dialog', { name: 'StatefulSet orders-mysql' }),
        ).getByRole('row', { name: 'Replicas desired 5' }),
      ).toBeInTheDocument(),
    );
    expect(screen.queryByTestId('progress')).not.toBeInTheDocument();
    expect(api.getTopology).toHaveBeenCalledTimes(2);
  });

  it('shows nothing about ownership when every object is stamped for the entity', async () => {
    await renderTab(fakeApi([mysqlTopology()]));
    await screen.findByRole('region', { name: 'eu-central' });
    expect(screen.queryByText(/belong to/)).not.toBeInTheDocument();
    expect(screen.queryByText(/owner stamp/)).not.toBeInTheDocument();
  });

  it('warns that objects stamped for another entity cannot be failed over', async () => {
    const topology = mysqlTopology();
    const theirs = {
      cluster: 'eu-west',
      kind: 'StatefulSet',
      namespace: 'databases',
      name: 'orders-mysql',
      ownership: {
        status: 'conflict' as const,
        owner: 'component:default/payments-db',
      },
    };
    topology.ownership = {
      status: 'conflict',
      conflicts: [theirs],
      unstamped: [],
    };
    await renderTab(fakeApi([topology]));
    expect(
      await screen.findByText(
        'Error: Objects in eu-west belong to component:default/payments-db; this entity cannot fail them over',
      ),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('list', {
        name: 'Objects of component:default/payments-db',
      }),
    ).toHaveTextContent('eu-west/databases/StatefulSet/orders-mysql');
  });

  it('tells the owner how to stamp unstamped objects', async () => {
    const topology = mysqlTopology();
    topology.ownership = {
      status: 'unstamped',
      conflicts: [],
      unstamped: [
        {
          cluster: 'eu-central',
          kind: 'StatefulSet',
          namespace: 'databases',
          name: 'orders-mysql',
          ownership: { status: 'unstamped' },
        },
        {
          cluster: 'eu-central',
          kind: 'VirtualService',
          namespace: 'databases',
          name: 'orders-mysql',
          ownership: { status: 'unstamped' },
        },
      ],
    };
    await renderTab(fakeApi([topology]));
    await userEvent.click(
      await screen.findByText(
        /^\w+: 2 object\(s\) carry no owner stamp; failover will not act on them until their owner stamps them$/,
      ),
    );
    const commands = screen.getByLabelText('Commands that stamp the objects');
    expect(commands).toHaveTextContent(
      'kubectl --context eu-central annotate statefulset orders-mysql -n databases multicluster-statefulsets/owner-entity=component:default/orders-mysql',
    );
    expect(commands).toHaveTextContent(
      'kubectl --context eu-central annotate virtualservice.networking.istio.io orders-mysql -n databases multicluster-statefulsets/owner-entity=component:default/orders-mysql',
    );
  });
});
