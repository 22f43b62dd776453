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
    const steps = screen.getByRole('table', { name: 'Steps of run run-1' });
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
});
