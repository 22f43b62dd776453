import { renderInTestApp } from '@backstage/test-utils';
import { screen, within } from '@testing-library/react';
import { FailoverRunDetails } from '@multicluster/backstage-plugin-statefulsets-common';
import { RunJournal } from './RunJournal';

const refused =
  "eu-west refused patch statefulsets/orders-mysql in databases for user bob (groups payments): the cluster's RBAC does not allow it";

function run(overrides: Partial<FailoverRunDetails>): FailoverRunDetails {
  return {
    id: 'run-1',
    entityRef: 'component:default/orders-mysql',
    mode: 'switchover',
    sourceCluster: 'eu-central',
    targetCluster: 'eu-west',
    status: 'rolled-back',
    actor: 'user:default/bob',
    createdAt: '2026-12-04T10:00:00Z',
    plan: {} as FailoverRunDetails['plan'],
    steps: [],
    ...overrides,
  } as FailoverRunDetails;
}

describe('RunJournal', () => {
  it("shows a write the cluster's RBAC refused, on the run and on its step", async () => {
    await renderInTestApp(
      <RunJournal
        run={run({
          error: `fence failed: ${refused}`,
          steps: [
            {
              runId: 'run-1',
              index: 0,
              kind: 'fence-source',
              title: 'Fence eu-central',
              cluster: 'eu-central',
              status: 'failed',
              error: refused,
              compensation: 'not-needed',
            } as any,
          ],
        })}
      />,
    );
    expect(screen.getByRole('alert')).toHaveTextContent(
      `fence failed: ${refused}`,
    );
    const steps = screen.getByRole('list', { name: 'Run timeline' });
    expect(within(steps).getByText(refused)).toBeInTheDocument();
  });

  it('shows why an emergency failover was forced', async () => {
    await renderInTestApp(
      <RunJournal
        run={run({
          mode: 'failover',
          status: 'succeeded',
          reason: 'eu-central lost its storage',
        })}
      />,
    );
    expect(
      screen.getByText(/Forced by user:default\/bob against a source/),
    ).toHaveTextContent('eu-central lost its storage');
  });

  const route = 'VirtualService databases/orders-mysql';
  const change = (cluster: string, extra: object) => ({
    cluster,
    object: route,
    path: '/apis/networking.istio.io/v1/namespaces/databases/virtualservices/orders-mysql',
    action: 'patch' as const,
    state: 'applied' as const,
    at: '2026-12-04T10:00:01Z',
    ...extra,
  });
  const steps = (fenceTraffic: object[]) => [
    {
      runId: 'run-1',
      index: 0,
      kind: 'fence-traffic' as const,
      title: 'Fence traffic to eu-central',
      cluster: '*',
      status: 'succeeded' as const,
      compensation: 'pending' as const,
      changes: fenceTraffic as any,
    },
    {
      runId: 'run-1',
      index: 1,
      kind: 'wait-catch-up' as const,
      title: 'Wait for eu-west to catch up',
      cluster: 'eu-west',
      status: 'failed' as const,
      error: 'eu-west stopped answering',
      compensation: 'not-needed' as const,
      changes: [],
    },
  ];

  it('says what was undone and what the backend still repairs, asking nothing by hand', async () => {
    await renderInTestApp(
      <RunJournal
        run={run({
          status: 'rolled-back-with-pending-repair',
          error:
            'Wait for eu-west to catch up failed: eu-west stopped answering',
          attention:
            'Rolled back where the clusters answered. Pending, repaired by the backend as soon as the cluster answers again: Fence traffic to eu-central: VirtualService databases/orders-mysql in eu-west.',
          steps: steps([
            change('eu-central', {
              undo: 'undone',
              undoneAt: '2026-12-04T10:00:02Z',
            }),
            change('eu-west', { undo: 'pending', undoError: 'ECONNREFUSED' }),
          ]),
        })}
      />,
    );
    expect(
      screen.getByText(/The rollback completed in every cluster that answered/),
    ).toHaveTextContent(
      'The backend finishes the pending repairs when eu-west answers again: nothing to do by hand.',
    );
    expect(screen.queryByText(/What a human must do/)).toBeNull();
    expect(
      screen.getByText('rolled-back-with-pending-repair'),
    ).toBeInTheDocument();
    const changes = screen.getByRole('table', { name: 'Changes of run run-1' });
    const rows = within(changes).getAllByRole('row').slice(1);
    expect(rows.map(r => r.textContent)).toEqual([
      expect.stringMatching(
        /^eu-central.*Fence traffic to eu-central.*undone at/,
      ),
      expect.stringMatching(
        /^eu-west.*pending: restored by the backend when eu-west answers again$/,
      ),
    ]);
    const journal = screen.getByRole('list', { name: 'Run timeline' });
    expect(within(journal).getByText('undo pending')).toBeInTheDocument();
    expect(within(journal).getByText('Nothing to undo')).toBeInTheDocument();
  });

  it('does not list a cluster the run never changed as something to restore', async () => {
    await renderInTestApp(
      <RunJournal
        run={run({
          status: 'rolled-back',
          error:
            'Fence traffic to eu-central failed: the route could not be changed in eu-west',
          steps: steps([
            change('eu-central', { undo: 'undone' }),
            change('eu-west', { state: 'refused', undo: 'not-needed' }),
          ]),
        })}
      />,
    );
    const changes = screen.getByRole('table', { name: 'Changes of run run-1' });
    expect(within(changes).getAllByRole('row')).toHaveLength(2);
    expect(within(changes).queryByText('eu-west')).toBeNull();
    expect(within(changes).getByText('eu-central')).toBeInTheDocument();
  });

  it('lists only the source when the fence was undone and the target was never touched', async () => {
    const scale = {
      cluster: 'eu-central',
      object: 'StatefulSet databases/orders-mysql',
      path: '/apis/apps/v1/namespaces/databases/statefulsets/orders-mysql',
      action: 'patch' as const,
      state: 'applied' as const,
      at: '2026-12-04T10:00:01Z',
      previous: { spec: { replicas: 3 } },
      undo: 'undone' as const,
      undoneAt: '2026-12-04T10:00:16Z',
    };
    await renderInTestApp(
      <RunJournal
        run={run({
          status: 'rolled-back',
          error: 'Fence budget of 15 s spent before eu-west was promoted',
          steps: [
            {
              runId: 'run-1',
              index: 0,
              kind: 'fence',
              title: 'Fence eu-central',
              cluster: 'eu-central',
              status: 'succeeded',
              compensation: 'compensated',
              changes: [scale],
            },
            {
              runId: 'run-1',
              index: 1,
              kind: 'wait-catch-up',
              title: 'Wait for eu-west to catch up',
              cluster: 'eu-west',
              status: 'failed',
              error: 'fence budget spent',
              compensation: 'not-needed',
              changes: [],
            },
            {
              runId: 'run-1',
              index: 2,
              kind: 'promote',
              title: 'Promote eu-west',
              cluster: 'eu-west',
              status: 'pending',
              compensation: 'none',
            },
          ],
        })}
      />,
    );
    const changes = screen.getByRole('table', { name: 'Changes of run run-1' });
    const rows = within(changes).getAllByRole('row').slice(1);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toHaveTextContent(
      /^eu-centralStatefulSet databases\/orders-mysqlFence eu-centralundone at /,
    );
    expect(within(changes).queryByText(/eu-west/)).toBeNull();
    expect(screen.queryByText(/answers again/)).toBeNull();
    expect(screen.queryByText(/What a human must do/)).toBeNull();
  });

  it('says which undo failed, and a write whose answer was lost, when the run needs attention', async () => {
    await renderInTestApp(
      <RunJournal
        run={run({
          status: 'needs-attention',
          error: 'Fence traffic to eu-central failed: timeout',
          attention:
            'The rollback did not complete; undo by hand: Fence traffic to eu-central: VirtualService databases/orders-mysql in eu-central could not be restored (conflict)',
          steps: steps([
            change('eu-central', {
              state: 'unknown',
              undo: 'failed',
              undoError: 'conflict',
            }),
            change('eu-west', { state: 'attempted', undo: 'not-needed' }),
          ]),
        })}
      />,
    );
    expect(screen.getByText(/What a human must do/)).toBeInTheDocument();
    const changes = screen.getByRole('table', { name: 'Changes of run run-1' });
    const rows = within(changes).getAllByRole('row').slice(1);
    expect(rows.map(r => r.textContent)).toEqual([
      expect.stringMatching(
        /^eu-central.*\(answer lost: may be changed\).*failed: conflict$/,
      ),
      expect.stringMatching(/^eu-west.*may be changed.*not needed$/),
    ]);
  });

  it('says a rolled-back run changed nothing when its journal holds no write', async () => {
    await renderInTestApp(
      <RunJournal
        run={run({
          status: 'rolled-back',
          error: 'Fence traffic to eu-central failed: refused',
          steps: steps([
            change('eu-central', { state: 'refused', undo: 'not-needed' }),
          ]),
        })}
      />,
    );
    expect(
      screen.queryByRole('table', { name: 'Changes of run run-1' }),
    ).toBeNull();
    expect(
      screen.getByText(
        'The run changed nothing in any cluster: nothing to undo.',
      ),
    ).toBeInTheDocument();
  });
});
