import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import {
  LagHistory,
  LagHistoryWindow,
  MultiClusterStatefulSetsApi,
  multiClusterStatefulSetsApiRef,
} from '../../api';
import { LagChart, lagAxis, lagChartName, timeTicks } from './LagChart';
import { LagHistoryCharts } from './LagHistoryCharts';

const TO = Date.parse('2026-12-01T12:00:00Z');
const FROM = TO - 3_600_000;
const MINUTE = 60_000;

function history(window: LagHistoryWindow = '1h'): LagHistory {
  return {
    entityRef: 'component:default/orders-mysql',
    window,
    from: FROM,
    to: TO,
    thresholdSeconds: 5,
    links: [
      {
        from: 'eu-central',
        to: 'eu-west',
        workload: 'orders-mysql',
        source: 'memory',
        stepSeconds: 10,
        samples: [
          { t: TO - 30 * MINUTE, lagSeconds: 0.8 },
          { t: TO - 20 * MINUTE, lagSeconds: 7.5 },
          { t: TO - 19 * MINUTE, lagSeconds: null },
          { t: TO - 10 * MINUTE, lagSeconds: 1.2 },
        ],
      },
      {
        from: 'eu-central',
        to: 'us-east',
        workload: 'orders-mysql',
        source: 'prometheus',
        reason: 'no lag series in prometheus for this window',
        samples: [],
      },
    ],
    runs: [
      {
        id: 'r1',
        mode: 'switchover',
        status: 'succeeded',
        sourceCluster: 'eu-central',
        targetCluster: 'eu-west',
        createdAt: new Date(TO - 25 * MINUTE).toISOString(),
        startedAt: new Date(TO - 25 * MINUTE).toISOString(),
        finishedAt: new Date(TO - 24 * MINUTE).toISOString(),
      },
      {
        id: 'r2',
        mode: 'switchover',
        status: 'rolled-back',
        sourceCluster: 'eu-west',
        targetCluster: 'eu-central',
        createdAt: new Date(TO - 15 * MINUTE).toISOString(),
        startedAt: new Date(TO - 15 * MINUTE).toISOString(),
      },
    ],
  };
}

describe('LagChart', () => {
  it('draws the lag, the labelled threshold and the runs with their outcome', async () => {
    const value = history();
    await renderInTestApp(
      <LagChart
        link={value.links[0]}
        thresholdSeconds={value.thresholdSeconds}
        runs={value.runs}
        window="1h"
        from={value.from}
        to={value.to}
        width={640}
        height={200}
      />,
    );
    const chart = screen.getByRole('img', {
      name: 'Replication lag eu-central → eu-west, last hour',
    });
    // One line with the lag, broken where the lag was unknown.
    const curves = chart.querySelectorAll('path.recharts-line-curve');
    expect(curves).toHaveLength(1);
    expect(curves[0].getAttribute('d')).toMatch(/^M[\d.,]+/);
    expect(within(chart).getByText('max failover lag 5 s')).toBeInTheDocument();
    const threshold = chart.querySelector(
      '.recharts-reference-line-line[stroke-dasharray="6 4"]',
    );
    expect(threshold).not.toBeNull();
    expect(
      within(chart).getByText('switchover → eu-west: succeeded'),
    ).toBeInTheDocument();
    expect(
      within(chart).getByText('switchover → eu-central: rolled-back'),
    ).toBeInTheDocument();
  });

  it('colours the chart from the theme it is shown in', async () => {
    const value = history();
    await renderInTestApp(
      <LagChart
        link={value.links[0]}
        thresholdSeconds={5}
        runs={value.runs}
        window="1h"
        from={value.from}
        to={value.to}
        width={640}
      />,
    );
    const chart = screen.getByRole('img');
    const stroke = chart
      .querySelector('path.recharts-line-curve')!
      .getAttribute('stroke');
    const threshold = chart
      .querySelector('.recharts-reference-line-line[stroke-dasharray="6 4"]')!
      .getAttribute('stroke');
    // The test app's light theme: Backstage's primary and error colours.
    expect(stroke).toMatch(/^#|^rgb/);
    expect(threshold).toMatch(/^#|^rgb/);
    expect(stroke).not.toBe(threshold);
  });

  it('says why there is nothing to draw yet', async () => {
    const value = history();
    await renderInTestApp(
      <LagChart
        link={value.links[1]}
        thresholdSeconds={5}
        runs={[]}
        window="1d"
        from={value.from}
        to={value.to}
        width={640}
      />,
    );
    const chart = screen.getByRole('img', {
      name: 'Replication lag eu-central → us-east, last day',
    });
    expect(chart).toHaveTextContent(
      'No lag samples for this window yet: no lag series in prometheus for this window',
    );
    expect(chart.querySelector('svg.recharts-surface')).toBeNull();
  });
});

describe('lagAxis', () => {
  it('ends the lag axis on a round number above the threshold and the peak', () => {
    expect(lagAxis(5, 0.4)).toEqual({ top: 8, step: 2 });
    expect(lagAxis(5, 12)).toEqual({ top: 15, step: 5 });
    expect(lagAxis(30, 140)).toEqual({ top: 200, step: 50 });
    expect(lagAxis(0.5, 0.1)).toEqual({ top: 1, step: 0.2 });
  });
});

describe('timeTicks', () => {
  it('puts a tick every 10 minutes of an hour and every 4 hours of a day, on round times', () => {
    const from = Date.parse('2026-12-01T10:03:00Z');
    const hour = timeTicks(from, from + 3_600_000, '1h');
    expect(hour).toHaveLength(6);
    expect(hour.every(t => t % 600_000 === 0)).toBe(true);
    const day = timeTicks(from, from + 86_400_000, '1d');
    expect(day).toHaveLength(6);
    expect(
      day.every(
        t => new Date(t).getMinutes() === 0 && new Date(t).getHours() % 4 === 0,
      ),
    ).toBe(true);
  });
});

describe('LagHistoryCharts', () => {
  function api(): jest.Mocked<
    Pick<MultiClusterStatefulSetsApi, 'getLagHistory'>
  > {
    return {
      getLagHistory: jest.fn(async (_ref, window) => history(window)),
    };
  }

  it('shows a chart per link and reads the day when asked', async () => {
    const fake = api();
    await renderInTestApp(
      <TestApiProvider apis={[[multiClusterStatefulSetsApiRef, fake]]}>
        <LagHistoryCharts
          entityRef={{
            kind: 'component',
            namespace: 'default',
            name: 'orders-mysql',
          }}
          chartWidth={640}
        />
      </TestApiProvider>,
    );
    const link = { from: 'eu-central', to: 'eu-west' };
    expect(
      await screen.findByRole('img', { name: lagChartName(link, '1h') }),
    ).toBeInTheDocument();
    expect(
      screen.getByText(/orders-mysql: from Prometheus/),
    ).toBeInTheDocument();
    expect(fake.getLagHistory).toHaveBeenLastCalledWith(
      { kind: 'component', namespace: 'default', name: 'orders-mysql' },
      '1h',
    );
    await userEvent.click(screen.getByRole('button', { name: 'last day' }));
    expect(
      await screen.findByRole('img', { name: lagChartName(link, '1d') }),
    ).toBeInTheDocument();
    await waitFor(() =>
      expect(fake.getLagHistory).toHaveBeenLastCalledWith(
        expect.anything(),
        '1d',
      ),
    );
  });

  it('reads the history again as soon as the links change (a failover flips them)', async () => {
    const fake = api();
    const entityRef = {
      kind: 'component',
      namespace: 'default',
      name: 'orders-mysql',
    };
    const { rerender } = await renderInTestApp(
      <TestApiProvider apis={[[multiClusterStatefulSetsApiRef, fake]]}>
        <LagHistoryCharts
          entityRef={entityRef}
          linksKey="orders-mysql:eu-central:eu-west"
          chartWidth={640}
        />
      </TestApiProvider>,
    );
    await waitFor(() => expect(fake.getLagHistory).toHaveBeenCalledTimes(1));
    rerender(
      <TestApiProvider apis={[[multiClusterStatefulSetsApiRef, fake]]}>
        <LagHistoryCharts
          entityRef={entityRef}
          linksKey="orders-mysql:eu-west:eu-central"
          chartWidth={640}
        />
      </TestApiProvider>,
    );
    await waitFor(() => expect(fake.getLagHistory).toHaveBeenCalledTimes(2));
  });
});
