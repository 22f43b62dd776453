/*
 * Owner notifications: the guest, an owner of the demo MySQL, switches it
 * over; the bell counts an unread notification, the notifications page says
 * the switchover succeeded, and its link opens the run's journal in the
 * Multi-cluster tab. Then the database is switched back, as the demo was.
 */
import { test, expect, signIn } from './fixtures';
import { switchOver } from './failoverPage';

const TAB = '/catalog/default/component/orders-mysql/multi-cluster';

test('tells the owners in the bell that a switchover succeeded, with a link to the run', async ({
  page,
}) => {
  test.setTimeout(240_000);
  await signIn(page);
  await page.goto(TAB);
  const central = page.getByRole('region', { name: 'eu-central' });
  const west = page.getByRole('region', { name: 'eu-west' });
  await expect(page.getByText('active', { exact: true }).first()).toBeVisible();
  if (await west.getByText('active', { exact: true }).isVisible()) {
    // A run that failed half-way left the demo switched over: put it back.
    await expect(central.getByText('3/3 ready', { exact: false })).toBeVisible({
      timeout: 60_000,
    });
    await switchOver(page, 'eu-central');
  }
  await expect(central.getByText('active', { exact: true })).toBeVisible();
  await expect(west.getByText('3/3 ready', { exact: false })).toBeVisible({
    timeout: 60_000,
  });

  const bell = page.getByRole('link', { name: /Notifications/ });
  const count = page.getByLabel('Unread notifications');
  const before = (await count.isVisible())
    ? Number(await count.innerText())
    : 0;
  await switchOver(page, 'eu-west');
  // The signal of the new notification updates the count without a reload.
  await expect(count).toHaveText(String(before + 1), { timeout: 15_000 });

  await bell.click();
  // Newest on top: earlier runs (other tests) may have said the same.
  const title = page
    .getByRole('link', {
      name: 'Switchover of orders-mysql to eu-west succeeded',
    })
    .first();
  await expect(title).toBeVisible();
  await expect(
    page
      .getByText(
        /switchover eu-central → eu-west, started by user:default\/guest/,
      )
      .first(),
  ).toBeVisible();
  await page.screenshot({
    path: 'docs/screenshots/notifications.png',
    fullPage: true,
  });
  const href = await title.getAttribute('href');
  const runId = new URL(href!, page.url()).searchParams.get('run');
  expect(runId).toBeTruthy();

  await title.click();
  await expect(page).toHaveURL(new RegExp(`/multi-cluster\\?run=${runId}`));
  await expect(
    page.getByRole('button', { name: `Journal of run ${runId}` }),
  ).toHaveAttribute('aria-expanded', 'true');

  // Leave the demo as it was found.
  await expect(central.getByText('3/3 ready', { exact: false })).toBeVisible({
    timeout: 60_000,
  });
  await switchOver(page, 'eu-central');
  await expect(central.getByText('active', { exact: true })).toBeVisible({
    timeout: 15_000,
  });
  await page.goto('/notifications');
  // Newest on top.
  await expect(
    page.getByRole('link', { name: /^Switchover of orders-mysql to/ }).first(),
  ).toHaveText('Switchover of orders-mysql to eu-central succeeded');
});
