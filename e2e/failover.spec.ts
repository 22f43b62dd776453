/*
 * Failover from the page: the guest (an owner of the demo databases) switches
 * the demo MySQL over to eu-west, sees traffic and roles flip in the
 * Multi-cluster tab and in the clusters, then switches back.
 */
import { Page } from '@playwright/test';
import { test, expect, signIn } from './fixtures';
import { statefulSetsOf } from './clusters';

async function switchOver(page: Page, target: string) {
  await page.getByRole('button', { name: 'Failover' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByRole('button', { name: /Target cluster/ }).click();
  await page.getByRole('option', { name: target }).click();
  await expect(
    dialog.getByRole('list', { name: 'Failover checks' }),
  ).toBeVisible();
  await dialog.getByLabel('Type orders-mysql to confirm').fill('orders-mysql');
  await dialog.getByRole('button', { name: 'Start switchover' }).click();
  await expect(dialog.getByText(/^succeeded$/).first()).toBeVisible({
    timeout: 60_000,
  });
  await expect(dialog.getByText(/RTO \d+\.\d+ s/)).toBeVisible();
  await dialog.getByRole('button', { name: 'Close' }).click();
}

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
  await expect(
    page.getByRole('table', { name: 'Failover runs' }).getByRole('row'),
  ).toHaveCount(3);
});
