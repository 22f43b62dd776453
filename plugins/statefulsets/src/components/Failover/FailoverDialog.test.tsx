import { useState } from 'react';
import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { Entity } from '@backstage/catalog-model';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import {
  mockApis,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/test-utils';
import {
  FailoverPlan,
  FailoverRunDetails,
} from '@multicluster/backstage-plugin-statefulsets-common';
import { mysqlTopology } from '../../__fixtures__/topology';
import { multiClusterStatefulSetsApiRef } from '../../api';
import { FailoverButton } from './FailoverButton';
import { FailoverDialog } from './FailoverDialog';

const entity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'orders-mysql', namespace: 'default' },
  spec: {},
};

const plan: FailoverPlan = {
  entityRef: 'component:default/orders-mysql',
  mode: 'switchover',
  sourceCluster: 'eu-central',
  targetCluster: 'eu-west',
  generatedAt: '2026-11-27T10:00:00Z',
  allowed: true,
  requiresForce: false,
  offeredModes: ['switchover', 'failover'],
  checks: [
    {
      id: 'lag',
      title: 'Replication lag within 5 s',
      status: 'pass',
      evidence: 'eu-central → eu-west lag 0.8 s',
    },
  ],
  steps: [
    {
      index: 0,
      kind: 'fence',
      title: 'Fence the source',
      cluster: 'eu-central',
      changes: ['scale orders-mysql to 0'],
      beforePromotion: true,
    },
  ],
  dataLossWindowSeconds: 0,
  dataLoss: 'none',
  fenceMethod: 'scale the source StatefulSet to zero',
  fenceBudgetSeconds: 20,
  routing: 'istio',
  warnings: [],
  workloads: {},
};

function run(status: FailoverRunDetails['status']): FailoverRunDetails {
  return {
    id: 'run-1',
    entityRef: plan.entityRef,
    mode: 'switchover',
    sourceCluster: 'eu-central',
    targetCluster: 'eu-west',
    status,
    actor: 'user:default/guest',
    createdAt: '2026-11-27T10:00:00Z',
    rpoSeconds: status === 'succeeded' ? 0.4 : undefined,
    rtoMs: status === 'succeeded' ? 1200 : undefined,
    plan,
    steps: [
      {
        runId: 'run-1',
        index: 0,
        kind: 'fence',
        title: 'Fence the source',
        cluster: 'eu-central',
        status: status === 'succeeded' ? 'succeeded' : 'running',
        compensation: 'none',
      },
    ],
  };
}

async function openDialog() {
  await waitFor(() =>
    expect(screen.getByRole('button', { name: 'Failover' })).toBeEnabled(),
  );
  await userEvent.click(screen.getByRole('button', { name: 'Failover' }));
  return screen.findByRole('dialog');
}

async function renderButton(allowed = true, name = 'orders-mysql') {
  const api = {
    getTopology: jest.fn(),
    listClusters: jest.fn(),
    planFailover: jest.fn(async () => plan),
    startFailover: jest.fn(async () => ({ id: 'run-1' })),
    listFailoverRuns: jest.fn(async () => []),
    getFailoverRun: jest
      .fn()
      .mockResolvedValueOnce(run('running'))
      .mockResolvedValue(run('succeeded')),
  };
  const permission = mockApis.permission({
    authorize: allowed ? AuthorizeResult.ALLOW : AuthorizeResult.DENY,
  });
  await renderInTestApp(
    <TestApiProvider
      apis={[
        [multiClusterStatefulSetsApiRef, api],
        [permissionApiRef, permission],
      ]}
    >
      <EntityProvider
        entity={{ ...entity, metadata: { ...entity.metadata, name } }}
      >
        <FailoverButton topology={mysqlTopology()} />
      </EntityProvider>
    </TestApiProvider>,
  );
  return api;
}

/** The dialog open on `topology`, with an API that only plans (with `planned`). */
async function renderOpenDialog(
  topology: ReturnType<typeof mysqlTopology>,
  planned: FailoverPlan,
) {
  const api = {
    getTopology: jest.fn(),
    listClusters: jest.fn(),
    planFailover: jest.fn(async () => planned),
    startFailover: jest.fn(),
    listFailoverRuns: jest.fn(async () => []),
    getFailoverRun: jest.fn(),
  };
  await renderInTestApp(
    <TestApiProvider apis={[[multiClusterStatefulSetsApiRef, api]]}>
      <FailoverDialog
        open
        onClose={() => {}}
        entityRef={{
          kind: 'Component',
          namespace: 'default',
          name: 'orders-mysql',
        }}
        topology={topology}
      />
    </TestApiProvider>,
  );
  return { api, dialog: await screen.findByRole('dialog') };
}

describe('Failover', () => {
  it('plans again when the topology changes while the dialog is open', async () => {
    const lagging: FailoverPlan = {
      ...plan,
      allowed: false,
      checks: [
        {
          id: 'lag',
          title: 'Replication lag within 5 s',
          status: 'fail',
          evidence: 'eu-central → eu-west lag 42 s',
        },
      ],
    };
    const api = {
      getTopology: jest.fn(),
      listClusters: jest.fn(),
      planFailover: jest
        .fn()
        .mockResolvedValueOnce(plan)
        .mockResolvedValue(lagging),
      startFailover: jest.fn(),
      listFailoverRuns: jest.fn(async () => []),
      getFailoverRun: jest.fn(),
    };
    let refresh: () => void = () => {};
    function LiveTopology() {
      const [topology, setTopology] = useState(mysqlTopology());
      refresh = () => setTopology(mysqlTopology());
      return <FailoverButton topology={topology} />;
    }
    await renderInTestApp(
      <TestApiProvider
        apis={[
          [multiClusterStatefulSetsApiRef, api],
          [
            permissionApiRef,
            mockApis.permission({ authorize: AuthorizeResult.ALLOW }),
          ],
        ]}
      >
        <EntityProvider entity={entity}>
          <LiveTopology />
        </EntityProvider>
      </TestApiProvider>,
    );
    const dialog = await openDialog();
    expect(
      await within(dialog).findByText('eu-central → eu-west lag 0.8 s'),
    ).toBeInTheDocument();
    await userEvent.type(
      within(dialog).getByLabelText('Type orders-mysql to confirm'),
      'orders-mysql',
    );
    expect(
      within(dialog).getByRole('button', { name: 'Start switchover' }),
    ).toBeEnabled();
    act(() => refresh());
    expect(
      await within(dialog).findByText('eu-central → eu-west lag 42 s'),
    ).toBeInTheDocument();
    expect(api.planFailover).toHaveBeenCalledTimes(2);
    expect(
      within(dialog).getByRole('button', { name: 'Start switchover' }),
    ).toBeDisabled();
  }, 30_000);

  it('shows the plan, needs the name typed, then follows the run', async () => {
    const api = await renderButton();
    const dialog = await openDialog();
    expect(
      await within(dialog).findByText('Replication lag within 5 s'),
    ).toBeInTheDocument();
    expect(
      within(dialog).getByText(/Writes pause for at most 20 s/),
    ).toHaveTextContent(
      'if eu-west is not promoted by then, the run rolls back and eu-central takes writes again',
    );
    expect(api.planFailover).toHaveBeenCalledWith(
      { kind: 'Component', namespace: 'default', name: 'orders-mysql' },
      { targetCluster: 'eu-west', mode: 'switchover' },
    );
    const startButton = within(dialog).getByRole('button', {
      name: 'Start switchover',
    });
    expect(startButton).toBeDisabled();
    await userEvent.type(
      within(dialog).getByLabelText('Type orders-mysql to confirm'),
      'orders-mysql',
    );
    expect(startButton).toBeEnabled();
    await userEvent.click(startButton);
    expect(api.startFailover).toHaveBeenCalledWith(
      expect.objectContaining({ name: 'orders-mysql' }),
      {
        targetCluster: 'eu-west',
        mode: 'switchover',
        confirm: 'orders-mysql',
        force: undefined,
      },
    );
    await waitFor(
      () => expect(within(dialog).getByText(/RTO 1\.20 s/)).toBeInTheDocument(),
      { timeout: 5000 },
    );
    expect(api.getFailoverRun).toHaveBeenCalledTimes(2);
  }, 30_000);

  it('asks for force before an emergency failover', async () => {
    const api = await renderButton();
    const dialog = await openDialog();
    await within(dialog).findByText('Replication lag within 5 s');
    await userEvent.click(
      within(dialog).getByRole('button', { name: /Planned switchover/ }),
    );
    await userEvent.click(
      await screen.findByRole('option', {
        name: 'Emergency failover (source unreachable)',
      }),
    );
    await userEvent.type(
      within(dialog).getByLabelText('Type orders-mysql to confirm'),
      'orders-mysql',
    );
    const start = within(dialog).getByRole('button', {
      name: 'Start failover',
    });
    expect(start).toBeDisabled();
    await userEvent.click(within(dialog).getByRole('checkbox'));
    expect(start).toBeEnabled();
    await userEvent.type(
      within(dialog).getByLabelText(/^Reason/),
      'eu-central lost its storage',
    );
    await userEvent.click(start);
    expect(api.startFailover).toHaveBeenLastCalledWith(
      expect.objectContaining({ name: 'orders-mysql' }),
      expect.objectContaining({
        mode: 'failover',
        force: true,
        reason: 'eu-central lost its storage',
      }),
    );
  }, 30_000);

  it('states the fence budget of a switchover, and none for an emergency failover, whose source is already lost', async () => {
    const api = await renderButton();
    (api.planFailover as jest.Mock).mockImplementation(
      async (_ref: unknown, req: { mode: FailoverPlan['mode'] }) => ({
        ...plan,
        mode: req.mode,
        dataLoss:
          req.mode === 'failover' ? 'up to 2s of writes may be lost' : 'none',
      }),
    );
    const dialog = await openDialog();
    expect(
      await within(dialog).findByText(/Writes pause for at most 20 s/),
    ).toBeInTheDocument();
    await userEvent.click(
      within(dialog).getByRole('button', { name: /Planned switchover/ }),
    );
    await userEvent.click(
      await screen.findByRole('option', {
        name: 'Emergency failover (source unreachable)',
      }),
    );
    expect(
      await within(dialog).findByText(/up to 2s of writes may be lost/),
    ).toBeInTheDocument();
    expect(within(dialog).queryByText(/Writes pause/)).toBeNull();
  }, 30_000);

  it('states no fence budget for a drain, which does not fence', async () => {
    const topology = mysqlTopology();
    topology.policy.strategy = 'active-active';
    const { api, dialog } = await renderOpenDialog(topology, {
      ...plan,
      mode: 'drain' as const,
      sourceCluster: 'eu-central',
      targetCluster: 'eu-central',
      fenceMethod: 'none: the cluster keeps running, only traffic moves',
    });
    expect(
      await within(dialog).findByText('Replication lag within 5 s'),
    ).toBeInTheDocument();
    expect(api.planFailover).toHaveBeenCalledWith(expect.anything(), {
      targetCluster: 'eu-central',
      mode: 'drain',
    });
    expect(within(dialog).queryByText(/Writes pause/)).toBeNull();
    expect(within(dialog).queryByText(/fence budget/)).toBeNull();
  });

  it('offers the switchover of a primary the engine elects, and a drain whose targets follow the mode', async () => {
    // A replica set across sites: declared active-active, one primary.
    const topology = mysqlTopology();
    topology.policy.strategy = 'active-active';
    for (const c of topology.clusters) {
      c.workloads = c.workloads.map(w => ({
        ...w,
        roleSource: 'mongodb-exporter' as const,
      }));
    }
    const { api, dialog } = await renderOpenDialog(topology, plan);
    await waitFor(() =>
      expect(api.planFailover).toHaveBeenCalledWith(expect.anything(), {
        targetCluster: 'eu-west',
        mode: 'switchover',
      }),
    );
    await userEvent.click(within(dialog).getByRole('button', { name: /Mode/ }));
    await userEvent.click(screen.getByRole('option', { name: /Drain/ }));
    // The passive side takes no traffic: the drain aims at the active one.
    await waitFor(() =>
      expect(api.planFailover).toHaveBeenLastCalledWith(expect.anything(), {
        targetCluster: 'eu-central',
        mode: 'drain',
      }),
    );
    expect(
      within(dialog).getByRole('button', { name: /Cluster to drain/ }),
    ).toHaveTextContent('eu-central');
  });

  it('keeps reading a run rolled back with repairs pending until they are done', async () => {
    jest.useFakeTimers();
    try {
      const pendingRun: FailoverRunDetails = {
        ...run('running'),
        status: 'rolled-back-with-pending-repair',
      };
      const repaired: FailoverRunDetails = {
        ...run('running'),
        status: 'rolled-back',
        attention:
          'Rolled back; the changes left pending were undone when the cluster answered again.',
      };
      const api = {
        getTopology: jest.fn(),
        listClusters: jest.fn(),
        planFailover: jest.fn(async () => plan),
        startFailover: jest.fn(async () => ({ id: 'run-1' })),
        listFailoverRuns: jest.fn(async () => []),
        getFailoverRun: jest
          .fn()
          .mockResolvedValueOnce(pendingRun)
          .mockResolvedValue(repaired),
      };
      const user = userEvent.setup({
        advanceTimers: jest.advanceTimersByTime,
      });
      await renderInTestApp(
        <TestApiProvider apis={[[multiClusterStatefulSetsApiRef, api]]}>
          <FailoverDialog
            open
            onClose={() => {}}
            entityRef={{
              kind: 'Component',
              namespace: 'default',
              name: 'orders-mysql',
            }}
            topology={mysqlTopology()}
          />
        </TestApiProvider>,
      );
      const dialog = await screen.findByRole('dialog');
      await within(dialog).findByText('Replication lag within 5 s');
      await user.type(
        within(dialog).getByLabelText('Type orders-mysql to confirm'),
        'orders-mysql',
      );
      await user.click(
        within(dialog).getByRole('button', { name: 'Start switchover' }),
      );
      expect(
        await within(dialog).findByText(/nothing to do by hand/),
      ).toBeInTheDocument();
      await act(async () => {
        jest.advanceTimersByTime(5000);
      });
      expect(
        await within(dialog).findByText(/changes left pending were undone/),
      ).toBeInTheDocument();
      expect(api.getFailoverRun).toHaveBeenCalledTimes(2);
    } finally {
      jest.useRealTimers();
    }
  }, 30_000);

  // Another entity: permission answers are cached per entity.
  it('is disabled with the reason when the permission is missing', async () => {
    await renderButton(false, 'someone-elses-db');
    expect(
      await screen.findByLabelText(
        /Failover unavailable: You need the permission multicluster-statefulsets\.failover\.execute/,
      ),
    ).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Failover' })).toBeDisabled();
  });

  it('shows a failing ownership check and keeps the run closed even when forced', async () => {
    const evidence =
      'objects stamped for component:default/payments-db: eu-west/databases/StatefulSet/orders-mysql — this entity cannot act on them';
    const api = await renderButton();
    api.planFailover.mockImplementation(async () => ({
      ...plan,
      allowed: false,
      checks: [
        ...plan.checks,
        {
          id: 'ownership',
          title: 'Every object the run changes is stamped for this entity',
          status: 'fail',
          evidence,
        },
      ],
    }));
    const dialog = await openDialog();
    expect(await within(dialog).findByText(evidence)).toBeInTheDocument();
    expect(
      within(dialog).getByText(
        'Every object the run changes is stamped for this entity',
      ),
    ).toBeInTheDocument();
    await userEvent.click(
      within(dialog).getByRole('button', { name: /Planned switchover/ }),
    );
    await userEvent.click(
      await screen.findByRole('option', {
        name: 'Emergency failover (source unreachable)',
      }),
    );
    await userEvent.type(
      within(dialog).getByLabelText('Type orders-mysql to confirm'),
      'orders-mysql',
    );
    await userEvent.click(within(dialog).getByRole('checkbox'));
    expect(
      within(dialog).getByRole('button', { name: 'Start failover' }),
    ).toBeDisabled();
    expect(api.startFailover).not.toHaveBeenCalled();
  }, 30_000);
});
