import { screen, waitFor } from '@testing-library/react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { FailoverRun } from '@multicluster/backstage-plugin-statefulsets-common';
import { multiClusterStatefulSetsApiRef } from '../../api';
import { FailoverHistory } from './FailoverHistory';

const entityRef = {
  kind: 'component',
  namespace: 'default',
  name: 'orders-mysql',
};

const run = (id: string): FailoverRun =>
  ({
    id,
    entityRef: 'component:default/orders-mysql',
    mode: 'switchover',
    sourceCluster: 'eu-central',
    targetCluster: 'eu-west',
    status: 'succeeded',
    actor: 'user:default/guest',
    createdAt: '2026-01-01T00:00:00Z',
  } as FailoverRun);

function renderAt(url: string) {
  const api = {
    listFailoverRuns: jest.fn(async () => [run('r1'), run('r2')]),
    getFailoverRun: jest.fn(async () => undefined),
  };
  return {
    api,
    rendered: renderInTestApp(
      <TestApiProvider apis={[[multiClusterStatefulSetsApiRef, api as any]]}>
        <FailoverHistory entityRef={entityRef} />
      </TestApiProvider>,
      { routeEntries: [url] },
    ),
  };
}

describe('FailoverHistory', () => {
  it('opens the journal of the run named in the URL', async () => {
    const { api, rendered } = renderAt('/?run=r2');
    await rendered;
    const linked = await screen.findByRole('button', {
      name: 'Journal of run r2',
    });
    expect(linked).toHaveAttribute('aria-expanded', 'true');
    expect(
      screen.getByRole('button', { name: 'Journal of run r1' }),
    ).toHaveAttribute('aria-expanded', 'false');
    await waitFor(() =>
      expect(api.getFailoverRun).toHaveBeenCalledWith(entityRef, 'r2'),
    );
  });

  it('opens no journal without a run in the URL', async () => {
    const { api, rendered } = renderAt('/');
    await rendered;
    await screen.findByRole('button', { name: 'Journal of run r2' });
    expect(api.getFailoverRun).not.toHaveBeenCalled();
  });
});
