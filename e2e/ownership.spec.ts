/*
 * Ownership stamps in the browser: the demo's `orders-mysql-reporting` entity
 * points at the objects of orders-mysql, which are stamped for orders-mysql.
 * The guest owns both entities, so the permission allows a failover; the
 * portal still refuses it from the wrong entity and says why.
 */
import { test, expect, signIn } from './fixtures';
import { statefulSetsOf } from './clusters';

test('refuses to fail over objects stamped for another entity, and says why', async ({
  page,
}) => {
  const rolesBefore = ['eu-central', 'eu-west'].map(
    c => statefulSetsOf(c, 'orders-mysql')[0].role,
  );
  await signIn(page);
  await page.goto(
    '/catalog/default/component/orders-mysql-reporting/multi-cluster',
  );
  await expect(
    page.getByText(
      /belong to component:default\/orders-mysql; this entity cannot fail them over/,
    ),
  ).toBeVisible({ timeout: 30_000 });

  await page.getByRole('button', { name: 'Failover' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByRole('button', { name: /Target cluster/ }).click();
  await page.getByRole('option', { name: 'eu-west' }).click();
  const checks = dialog.getByRole('list', { name: 'Failover checks' });
  await expect(checks).toBeVisible();
  await expect(
    checks.getByText(/Every object the run changes is stamped for this entity/),
  ).toBeVisible();
  await expect(
    checks.getByText(/this entity cannot act on them/),
  ).toBeVisible();
  await dialog
    .getByLabel('Type orders-mysql-reporting to confirm')
    .fill('orders-mysql-reporting');
  await expect(
    dialog.getByRole('button', { name: 'Start switchover' }),
  ).toBeDisabled();
  await page.screenshot({
    path: 'docs/screenshots/ownership-conflict.png',
    fullPage: true,
  });
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  // Nothing moved: orders-mysql keeps its roles.
  expect(
    ['eu-central', 'eu-west'].map(
      c => statefulSetsOf(c, 'orders-mysql')[0].role,
    ),
  ).toEqual(rolesBefore);
});
