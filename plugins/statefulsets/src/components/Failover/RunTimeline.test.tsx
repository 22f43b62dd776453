import { renderInTestApp } from '@backstage/test-utils';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import {
  FailoverRunDetails,
  FailoverRunStep,
} from '@multicluster/backstage-plugin-statefulsets-common';
import { RunTimeline } from './RunTimeline';

const STS = 'StatefulSet databases/orders-mysql';

function step(
  index: number,
  fields: Partial<FailoverRunStep> & Pick<FailoverRunStep, 'kind' | 'title'>,
): FailoverRunStep {
  return {
    runId: 'run-7',
    index,
    cluster: 'eu-central',
    status: 'succeeded',
    compensation: 'none',
    changes: [],
    ...fields,
  };
}

const at = (s: number) =>
  new Date(Date.UTC(2026, 11, 4, 10, 0, s)).toISOString();

function switchover(overrides: Partial<FailoverRunDetails> = {}) {
  return {
    id: 'run-7',
    entityRef: 'component:default/orders-mysql',
    mode: 'switchover',
    sourceCluster: 'eu-central',
    targetCluster: 'eu-west',
    status: 'succeeded',
    actor: 'user:default/ops',
    createdAt: at(0),
    startedAt: at(0),
    finishedAt: at(9),
    rpoSeconds: 1.2,
    rtoMs: 8500,
    plan: {
      steps: [
        { index: 1, changes: [`scale ${STS} in eu-central to 0 replicas`] },
      ],
      writeIdentity: { user: 'ops', groups: ['dba'] },
    } as unknown as FailoverRunDetails['plan'],
    steps: [
      step(0, {
        kind: 'fence-traffic',
        title: 'Take traffic off eu-central',
        cluster: '*',
        startedAt: at(0),
        finishedAt: '2026-12-04T10:00:00.450Z',
      }),
      step(1, {
        kind: 'fence',
        title: 'Fence eu-central',
        startedAt: at(1),
        finishedAt: '2026-12-04T10:00:02.500Z',
        inputs: {
          lagAtFence: 1.2,
          lagObservedAt: '2026-12-04T10:00:00.500Z',
          dataLossWindowSeconds: 1.7,
        },
        changes: [
          {
            cluster: 'eu-central',
            object: STS,
            path: '/apis/apps/v1/namespaces/databases/statefulsets/orders-mysql',
            action: 'patch',
            state: 'applied',
            at: at(1),
            previous: { spec: { replicas: 3 } },
          },
        ],
      }),
      step(2, {
        kind: 'wait-catch-up',
        title: 'Wait for eu-west to catch up',
        cluster: 'eu-west',
        startedAt: at(3),
        finishedAt: at(5),
        outcome: { lagSeconds: 0 },
      }),
      step(3, {
        kind: 'promote',
        title: 'Promote eu-west',
        cluster: 'eu-west',
        startedAt: at(5),
        finishedAt: at(6),
      }),
      step(4, {
        kind: 'reattach',
        title: 'Make eu-central a replica of eu-west',
        status: 'skipped',
      }),
    ],
    ...overrides,
  } as FailoverRunDetails;
}

describe('RunTimeline', () => {
  it('shows the steps in order with their start, duration and outcome', async () => {
    await renderInTestApp(<RunTimeline run={switchover()} />);
    const timeline = screen.getByRole('list', { name: 'Run timeline' });
    const items = within(timeline).getAllByRole('listitem');
    expect(items.map(i => within(i).getByRole('heading').textContent)).toEqual([
      '1. Take traffic off eu-central',
      '2. Fence eu-central',
      '3. Wait for eu-west to catch up',
      '4. Promote eu-west',
      '5. Make eu-central a replica of eu-west',
    ]);
    expect(items[0]).toHaveTextContent('every cluster holding the route');
    expect(within(items[0]).getByText('took 450 milliseconds')).toBeVisible();
    expect(within(items[0]).getByText('took 450 ms')).toHaveAttribute(
      'aria-hidden',
      'true',
    );
    expect(within(items[1]).getByText('took 1.5 seconds')).toBeInTheDocument();
    expect(
      within(items[1]).getByText('T+1.0 s ·', { exact: false }),
    ).toBeInTheDocument();
    expect(within(items[2]).getByText('took 2.0 seconds')).toBeInTheDocument();
    expect(
      within(items[1]).getByText(`scale ${STS} in eu-central to 0 replicas`),
    ).toBeInTheDocument();
    expect(
      items.map(i => within(i).getByText(/^(succeeded|skipped)$/).textContent),
    ).toEqual(['succeeded', 'succeeded', 'succeeded', 'succeeded', 'skipped']);
    expect(within(items[4]).getByText('not started')).toBeInTheDocument();
    expect(within(items[4]).queryByText(/^took/)).toBeNull();
  });

  it('heads the run with who, when, RTO and the lag and data-loss window at fence time', async () => {
    await renderInTestApp(<RunTimeline run={switchover()} />);
    expect(screen.getByText(/RTO 8\.50 s/)).toHaveTextContent(
      'switchover eu-central → eu-west · RPO 1.2 s · RTO 8.50 s',
    );
    const facts = screen.getByLabelText('Facts of run run-7');
    const value = (term: string) =>
      within(facts).getByText(term).nextElementSibling?.textContent;
    expect(value('Actor')).toBe('user:default/ops');
    expect(value('Lag at fence')).toMatch(/^1\.2 s \(read .+\)$/);
    expect(value('Data-loss window at fence')).toBe(
      'up to 1.7 s of writes; none lost: eu-west caught up before its promotion',
    );
    expect(value('Finished')).not.toBe('not yet');
  });

  it('shows what a compensated step undid, and its writes with the fields as they were', async () => {
    const run = switchover({ status: 'rolled-back', rpoSeconds: undefined });
    const fence = run.steps[1];
    fence.compensation = 'compensated';
    fence.changes![0].undo = 'undone';
    fence.changes![0].undoneAt = at(8);
    run.steps[2].status = 'failed';
    run.steps[2].error = 'eu-west stopped answering';
    run.steps[2].compensation = 'not-needed';
    await renderInTestApp(<RunTimeline run={run} />);
    const items = within(
      screen.getByRole('list', { name: 'Run timeline' }),
    ).getAllByRole('listitem');
    expect(within(items[1]).getByText('compensated')).toBeInTheDocument();
    expect(
      within(items[1]).getByText(
        `Undone by the rollback: ${STS} in eu-central`,
      ),
    ).toBeInTheDocument();
    expect(within(items[2]).getByText('failed')).toBeInTheDocument();
    expect(
      within(items[2]).getByText('eu-west stopped answering'),
    ).toBeInTheDocument();
    expect(within(items[2]).getByText('Nothing to undo')).toBeInTheDocument();

    const toggle = within(items[1]).getByRole('button', {
      name: 'Show 1 object change',
    });
    expect(toggle).toHaveAttribute('aria-expanded', 'false');
    fireEvent.click(toggle);
    expect(toggle).toHaveAttribute('aria-expanded', 'true');
    expect(toggle).toHaveTextContent('Hide 1 object change');
    const changes = within(items[1]).getByRole('list', {
      name: 'Changes of step 2',
    });
    expect(changes).toHaveTextContent(
      new RegExp(`^patch ${STS} in eu-central: applied at .+; undo undone at`),
    );
    expect(changes).toHaveTextContent('before: spec.replicas = 3');
    expect(items[1]).toHaveTextContent('input lagAtFence = 1.2');
  });

  it('exports the run as the API returned it, named after the entity and the run', async () => {
    const run = switchover();
    const returned = JSON.parse(JSON.stringify(run));
    let blob: Blob | undefined;
    const create = jest.fn((b: Blob) => {
      blob = b;
      return 'blob:run-7';
    });
    const revoke = jest.fn();
    Object.assign(URL, { createObjectURL: create, revokeObjectURL: revoke });
    const clicked: Array<{ href: string; download: string }> = [];
    const click = jest
      .spyOn(HTMLAnchorElement.prototype, 'click')
      .mockImplementation(function record(this: HTMLAnchorElement) {
        clicked.push({ href: this.href, download: this.download });
      });
    try {
      await renderInTestApp(<RunTimeline run={run} />);
      fireEvent.click(screen.getByRole('button', { name: 'Export JSON' }));
      expect(create).toHaveBeenCalledTimes(1);
      expect(clicked).toEqual([
        {
          href: 'blob:run-7',
          download: 'failover-run-orders-mysql-run-7.json',
        },
      ]);
      expect(blob!.type).toBe('application/json');
      const text = await blob!.text();
      expect(JSON.parse(text)).toEqual(returned);
      expect(document.querySelector('a[download]')).toBeNull();
      await waitFor(() => expect(revoke).toHaveBeenCalledWith('blob:run-7'));
    } finally {
      click.mockRestore();
    }
  });

  it('reads the last known lag of an emergency failover and says a drain loses nothing', async () => {
    const emergency = switchover({
      mode: 'failover',
      status: 'running',
      finishedAt: undefined,
      steps: [
        step(0, {
          kind: 'promote',
          title: 'Promote eu-west',
          cluster: 'eu-west',
          status: 'running',
          startedAt: at(1),
          inputs: { lastKnownLag: null, dataLossWindowSeconds: null },
        }),
      ],
    });
    const { unmount } = await renderInTestApp(<RunTimeline run={emergency} />);
    let facts = screen.getByLabelText('Facts of run run-7');
    expect(facts).toHaveTextContent('Last known lagunknown');
    expect(facts).toHaveTextContent('Data-loss window at promotionunknown');
    expect(facts).toHaveTextContent('Finishednot yet');
    const item = within(
      screen.getByRole('list', { name: 'Run timeline' }),
    ).getByRole('listitem');
    expect(within(item).getByText('running')).toBeInTheDocument();
    expect(within(item).getByText(/in progress$/)).toBeInTheDocument();
    expect(within(item).queryByText(/^took/)).toBeNull();
    unmount();

    await renderInTestApp(
      <RunTimeline run={switchover({ mode: 'drain', steps: [] })} />,
    );
    facts = screen.getByLabelText('Facts of run run-7');
    expect(facts).toHaveTextContent(
      'Data-loss windownone: a drain moves only traffic',
    );
    expect(facts).not.toHaveTextContent('Lag at fence');
  });
});
