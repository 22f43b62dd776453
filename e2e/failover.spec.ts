/*
 * Failover from the page: the guest (an owner of the demo databases) switches
 * the demo MySQL over to eu-west, sees traffic and roles flip in the
 * Multi-cluster tab and in the clusters, then switches back. Then a
 * switchover that cannot succeed (replication to the target is cut): the
 * plan states the fence budget, the run gives the source back within
 * seconds and the journal shows what was undone, asking nothing by hand.
 */
import { test, expect, signIn } from './fixtures';
import { heal, partition, statefulSetsOf } from './clusters';
import { switchOver } from './failoverPage';

test('switches the demo MySQL over and back from the page', async ({
  page,
}) => {
  test.setTimeout(240_000);
  await signIn(page);
  await page.goto('/catalog/default/component/orders-mysql/multi-cluster');
  const central = page.getByRole('region', { name: 'eu-central' });
  const west = page.getByRole('region', { name: 'eu-west' });
  await expect(central.getByText('active', { exact: true })).toBeVisible();
  await expect(west.getByText('3/3 ready', { exact: false })).toBeVisible();

  // Other browser tests may have run on orders-mysql already: this one adds
  // two rows to the history (and its header row when it starts empty).
  const history = page.getByRole('table', { name: 'Failover runs' });
  const rowsBefore = await history.getByRole('row').count();
  await switchOver(page, 'eu-west');
  await expect(west.getByText('active', { exact: true })).toBeVisible({
    timeout: 15_000,
  });
  await expect(west.getByText('Traffic 100%')).toBeVisible();
  await expect(central.getByText('Traffic 0%')).toBeVisible();
  expect(statefulSetsOf('eu-west', 'orders-mysql')[0].role).toBe('active');
  await page.screenshot({
    path: 'docs/screenshots/after-switchover.png',
    fullPage: true,
    style: '.notistack-SnackbarContainer { display: none !important; }',
  });

  // The old source rejoins as a replica; its pods start again before it can
  // take over, and the plan says so until they are ready.
  await expect(central.getByText('3/3 ready', { exact: false })).toBeVisible({
    timeout: 60_000,
  });
  await switchOver(page, 'eu-central');
  await expect(central.getByText('active', { exact: true })).toBeVisible({
    timeout: 15_000,
  });
  await expect(central.getByText('Traffic 100%')).toBeVisible();
  await expect
    .poll(() => history.getByRole('row').count(), { timeout: 30_000 })
    .toBeGreaterThanOrEqual(Math.max(3, rowsBefore + 2));

  // The last run opens from the history as a timeline of its steps.
  await history
    .getByRole('button', { name: /^Journal of run / })
    .first()
    .click();
  const timeline = page.getByRole('list', { name: 'Run timeline' });
  const steps = timeline.getByRole('listitem');
  await expect(steps.first()).toContainText('1. ');
  const count = await steps.count();
  expect(count).toBeGreaterThan(3);
  await expect(timeline.getByText(/^succeeded$/)).toHaveCount(count);
  await expect(timeline.getByText(/^took .*seconds?$/)).toHaveCount(count);
  await timeline
    .getByRole('button', { name: /^Show \d+ object change/ })
    .first()
    .click();
  await expect(timeline.getByText(/^before: /).first()).toBeVisible();
  await history.getByRole('row').filter({ has: timeline }).screenshot({
    path: 'docs/screenshots/run-timeline.png',
    // The owners' notifications of the two runs would cover the steps.
    style: '.notistack-SnackbarContainer { display: none !important; }',
  });
});

test('gives the source back when a switchover cannot succeed, and shows what it undid', async ({
  page,
}) => {
  test.setTimeout(180_000);
  await signIn(page);
  await page.goto('/catalog/default/component/orders-mysql/multi-cluster');
  const central = page.getByRole('region', { name: 'eu-central' });
  await expect(central.getByText('active', { exact: true })).toBeVisible();
  await expect(central.getByText('3/3 ready', { exact: false })).toBeVisible({
    timeout: 60_000,
  });
  await page.getByRole('button', { name: 'Failover' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByRole('button', { name: /Target cluster/ }).click();
  await page.getByRole('option', { name: 'eu-west' }).click();
  await expect(dialog.getByText(/Writes pause for at most 15 s/)).toBeVisible();
  await dialog.getByLabel('Type orders-mysql to confirm').fill('orders-mysql');
  try {
    // eu-west stops receiving what eu-central writes: it can never catch up.
    await partition('eu-central', 'eu-west');
    // eu-central commits two transactions a second: after 1.5 s eu-west
    // lacks some. Started at once, the fence could land before the next
    // commit, and eu-west would rightly be caught up.
    await page.waitForTimeout(1500);
    const started = Date.now();
    await dialog.getByRole('button', { name: 'Start switchover' }).click();
    await expect(dialog.getByText(/^rolled-back$/).first()).toBeVisible({
      timeout: 30_000,
    });
    // Well within the fence budget, not after the 60 s catch-up bound.
    expect(Date.now() - started).toBeLessThan(15_000);
    await expect(
      dialog.getByText(/grows instead of shrinking|fence budget/).first(),
    ).toBeVisible();
    await expect(dialog.getByText(/What a human must do/)).toHaveCount(0);
    const changes = dialog.getByRole('table', { name: /^Changes of run/ });
    await expect(
      changes
        .getByRole('row')
        .filter({ hasText: 'StatefulSet databases/orders-mysql' }),
    ).toContainText('undone');
    await expect(
      changes.getByRole('row').filter({ hasText: 'VirtualService' }).first(),
    ).toContainText('undone');
    const source = statefulSetsOf('eu-central', 'orders-mysql')[0];
    expect(source.role).toBe('active');
    expect(source.replicas).toBe(3);
    await dialog.getByRole('button', { name: 'Close' }).click();
  } finally {
    await heal();
  }
});
