/*
 * The lag chart of the Replication panel against the running portal and demo
 * clusters: the demo MySQL's link eu-central → eu-west shows its lag over
 * the last hour (and day) with the failover lag bound drawn and a failover
 * run marked with its outcome, in the light and the dark theme, without
 * console errors. The run is a switchover that cannot succeed (replication
 * cut), so it rolls back and leaves the demo as it was.
 */
import { Locator, Page } from '@playwright/test';
import { heal, partition } from './clusters';
import { test, expect, signIn } from './fixtures';

const API =
  '/api/multicluster-statefulsets/entities/component/default/orders-mysql';

const TAB = '/catalog/default/component/orders-mysql/multi-cluster';
const HOUR = 'Replication lag eu-central → eu-west, last hour';
// The owners' notification of the run would cover the panel.
const HIDE_SNACKBARS =
  '.notistack-SnackbarContainer { display: none !important; }';

/** The Replication panel, once its chart of eu-central → eu-west has a few samples. */
async function openChart(
  page: Page,
): Promise<{ panel: Locator; chart: Locator }> {
  await page.goto(TAB);
  const panel = page.getByRole('region', { name: 'Replication' });
  const chart = panel.getByRole('img', { name: HOUR });
  await expect(chart).toBeVisible();
  // The backend samples the lag every 10 s and the chart reads it again
  // every 15 s: wait for a line through several samples.
  await expect
    .poll(
      async () => {
        const d = await chart
          .locator('path.recharts-line-curve')
          .getAttribute('d', { timeout: 1000 })
          .catch(() => null);
        return d ? d.split(/[LC]/).length : 0;
      },
      { timeout: 90_000, intervals: [2000] },
    )
    .toBeGreaterThan(3);
  return { panel, chart };
}

/** Starts a switchover to eu-west over the REST API as the signed-in guest; answers its final status. */
async function rolledBackSwitchover(page: Page): Promise<string> {
  const refresh = await page.request.get('/api/auth/guest/refresh', {
    headers: { 'X-Requested-With': 'XMLHttpRequest' },
  });
  expect(refresh.ok()).toBe(true);
  const headers = {
    Authorization: `Bearer ${(await refresh.json()).backstageIdentity.token}`,
  };
  try {
    // eu-west stops receiving what eu-central writes: it can never catch up.
    // The lag starts growing at once; on a slow machine it may pass the
    // entity's bound before the run is asked for, and the plan then refuses
    // the switchover. Heal, let the lag settle, and ask again.
    let started;
    for (let attempt = 1; ; attempt++) {
      await partition('eu-central', 'eu-west');
      // eu-central commits two transactions a second: after 1.5 s eu-west
      // lacks some, which it cannot fetch. Asked at once, the fence could
      // land before the next commit, and eu-west would rightly be caught up.
      await page.waitForTimeout(1500);
      started = await page.request.post(`${API}/failover/runs`, {
        headers,
        data: {
          targetCluster: 'eu-west',
          mode: 'switchover',
          confirm: 'orders-mysql',
        },
      });
      const refusedForLag =
        started.status() === 400 &&
        (await started.text()).includes('replication-lag');
      if (!refusedForLag || attempt === 4) break;
      await heal();
      await page.waitForTimeout(5000);
    }
    expect(started.status(), await started.text()).toBe(202);
    const { id } = await started.json();
    let status = 'pending';
    await expect
      .poll(
        async () => {
          const run = await page.request.get(`${API}/failover/runs/${id}`, {
            headers,
          });
          status = (await run.json()).status;
          return ['pending', 'running'].includes(status);
        },
        { timeout: 60_000, intervals: [1000] },
      )
      .toBe(false);
    return status;
  } finally {
    await heal();
  }
}

/** Waits until the replication graph stopped moving (it fits itself after each render). */
async function graphSettled(panel: Locator) {
  const node = panel.getByText('eu-central', { exact: true }).first();
  let last = '';
  await expect
    .poll(
      async () => {
        const box = JSON.stringify(await node.boundingBox());
        const still = box === last;
        last = box;
        return still;
      },
      { timeout: 10_000, intervals: [500] },
    )
    .toBe(true);
}

async function lineColour(chart: Locator): Promise<string | null> {
  return chart.locator('path.recharts-line-curve').getAttribute('stroke');
}

test('shows the lag of the demo MySQL against its failover bound, light and dark', async ({
  page,
}) => {
  test.setTimeout(240_000);
  await signIn(page);
  await page.goto(TAB);
  await expect(
    page
      .getByRole('region', { name: 'eu-central' })
      .getByText('3/3 ready', { exact: false }),
  ).toBeVisible({ timeout: 60_000 });
  expect(await rolledBackSwitchover(page)).toBe('rolled-back');
  // Once eu-west caught up again: the replication graph, laid out anew at
  // every lag change, is drawn steadily when the lag is calm.
  await expect(
    page.getByRole('list', { name: 'Replication links' }),
  ).toContainText(/eu-central → eu-west \(orders-mysql\): lag [01]\.\d s/, {
    timeout: 60_000,
  });
  const { panel, chart } = await openChart(page);
  await expect(
    // The newest marker is this run's; the failover tests may have left
    // other rolled-back switchovers in the window.
    chart.getByText('switchover → eu-west: rolled-back').last(),
  ).toBeVisible();
  await expect(
    chart.getByText(/^max failover lag \d+(\.\d+)? s$/),
  ).toBeVisible();
  await expect(
    chart.locator('.recharts-reference-line-line[stroke-dasharray="6 4"]'),
  ).toHaveCount(1);
  // Where the samples come from: the demo Prometheus when one is installed,
  // else the backend's own memory.
  await expect(
    panel
      .getByText(
        process.env.E2E_PROMETHEUS === '1'
          ? 'orders-mysql: from Prometheus'
          : /orders-mysql: samples kept in memory/,
      )
      .first(),
  ).toBeVisible();
  const light = await lineColour(chart);
  await graphSettled(panel);
  await panel.screenshot({
    path: 'docs/screenshots/lag-chart-light.png',
    style: HIDE_SNACKBARS,
  });

  // The day's chart of the same link.
  await panel.getByRole('button', { name: 'last day' }).click();
  await expect(
    panel.getByRole('img', {
      name: 'Replication lag eu-central → eu-west, last day',
    }),
  ).toBeVisible();

  // The portal keeps the chosen theme in local storage, as its settings page does.
  await page.evaluate(() => window.localStorage.setItem('theme', 'dark'));
  const dark = await openChart(page);
  await expect(
    dark.chart.getByText(/^max failover lag \d+(\.\d+)? s$/),
  ).toBeVisible();
  await expect(
    dark.chart.getByText('switchover → eu-west: rolled-back').last(),
  ).toBeVisible();
  const background = await dark.panel
    .locator('.MuiCard-root')
    .first()
    .evaluate(el => getComputedStyle(el).backgroundColor);
  expect(background).not.toBe('rgb(255, 255, 255)');
  // The line takes the dark theme's own primary colour.
  expect(await lineColour(dark.chart)).not.toBe(light);
  await graphSettled(dark.panel);
  await dark.panel.screenshot({
    path: 'docs/screenshots/lag-chart-dark.png',
    style: HIDE_SNACKBARS,
  });
  await page.evaluate(() => window.localStorage.removeItem('theme'));
});
