import { screen, within } from '@testing-library/react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { FailoverPlan } from '@multicluster/backstage-plugin-statefulsets-common';
import { mysqlTopology } from '../../__fixtures__/topology';
import { multiClusterStatefulSetsApiRef } from '../../api';
import { dataLossWindowText } from './DataLossWindow';
import { FailoverDialog } from './FailoverDialog';

/** A MySQL switchover plan as the backend makes it with the GTID provider. */
const plan: FailoverPlan = {
  entityRef: 'component:default/orders-mysql',
  mode: 'switchover',
  engine: 'mysql',
  sourceCluster: 'eu-central',
  targetCluster: 'eu-west',
  generatedAt: '2026-11-27T10:00:00Z',
  allowed: true,
  requiresForce: false,
  offeredModes: ['switchover', 'failover'],
  checks: [],
  steps: [
    {
      index: 0,
      kind: 'fence',
      title: 'Fence the source',
      cluster: 'eu-central',
      changes: [
        'eu-central/orders-mysql-0: SET PERSIST super_read_only=ON (the pod keeps running)',
      ],
      beforePromotion: true,
    },
    {
      index: 1,
      kind: 'promote',
      title: 'Promote the target',
      cluster: 'eu-west',
      changes: [
        'eu-west/orders-mysql-10: SELECT WAIT_FOR_EXECUTED_GTID_SET(<@@gtid_executed of eu-central/orders-mysql-0>, <timeout>)',
        'eu-west/orders-mysql-10: STOP REPLICA; RESET REPLICA ALL; SET PERSIST super_read_only=OFF; SET PERSIST read_only=OFF',
      ],
      beforePromotion: false,
    },
  ],
  dataLossWindowSeconds: 0,
  dataLoss:
    'none: the target is promoted only after it caught up with the fenced source',
  dataLossInEngine: {
    amount: 2,
    unit: 'transactions',
    detail: "eu-central's @@gtid_executed minus eu-west's",
    provider: 'mysql-gtid',
  },
  fenceMethod: 'mysql-gtid: fenced with super_read_only',
  routing: 'istio',
  warnings: [],
  workloads: {},
};

async function renderDialog(answer: FailoverPlan) {
  const api = {
    getTopology: jest.fn(),
    listClusters: jest.fn(),
    planFailover: jest.fn(async () => answer),
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
        topology={mysqlTopology()}
      />
    </TestApiProvider>,
  );
  return screen.findByRole('dialog');
}

describe('DataLossWindow', () => {
  it('states the seconds next to the engine count, or says the count is not read', () => {
    expect(dataLossWindowText(plan)).toBe(
      "0 s · 2 transactions (eu-central's @@gtid_executed minus eu-west's; read by mysql-gtid)",
    );
    expect(
      dataLossWindowText({
        dataLossWindowSeconds: null,
        dataLossInEngine: { ...plan.dataLossInEngine!, amount: null },
      }),
    ).toMatch(/^unknown s · unknown transactions \(/);
    expect(
      dataLossWindowText({
        dataLossWindowSeconds: 4,
        dataLossInEngine: undefined,
      }),
    ).toBe("4 s (the engine's own count is not read)");
  });

  it("shows each step's engine commands and the window in the engine's unit in the dialog", async () => {
    const dialog = await renderDialog(plan);
    const window = await within(dialog).findByLabelText('Data-loss window');
    expect(window).toHaveTextContent(
      /^Data-loss window: 0 s · 2 transactions \(eu-central's @@gtid_executed minus eu-west's; read by mysql-gtid\)$/,
    );
    const steps = within(dialog).getByRole('list', { name: 'Failover steps' });
    expect(steps).toHaveTextContent('SET PERSIST super_read_only=ON');
    expect(steps).toHaveTextContent('WAIT_FOR_EXECUTED_GTID_SET');
  }, 30_000);

  it('states no window for a drain, which moves no data', async () => {
    const dialog = await renderDialog({
      ...plan,
      mode: 'drain',
      dataLossInEngine: undefined,
    });
    await within(dialog).findByRole('list', { name: 'Failover steps' });
    expect(within(dialog).queryByLabelText('Data-loss window')).toBeNull();
  }, 30_000);
});
