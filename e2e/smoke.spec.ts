/*
 * Smoke test: a new user signs in as guest and opens a demo database; its
 * overview shows the Multi-cluster card, and the official Kubernetes tab lists
 * the objects of a database spanning all three demo clusters without cluster
 * errors.
 */
import { test, expect, signIn } from './fixtures';

test('a guest opens a demo database', async ({ page }) => {
  await signIn(page);
  await page.goto('/catalog/default/component/orders-mysql');
  await expect(
    page.getByRole('heading', { name: 'orders-mysql' }).first(),
  ).toBeVisible();
  await expect(page.getByText('Database Platform').first()).toBeVisible();
  await expect(page.getByText('DR readiness').first()).toBeVisible();
  await page.screenshot({ path: 'docs/screenshots/entity-overview.png' });

  await page
    .getByRole('navigation', { name: 'Content navigation' })
    .getByRole('link', { name: 'Kubernetes' })
    .click();
  for (const cluster of ['eu-central', 'eu-west']) {
    await expect(
      page.getByText(cluster, { exact: true }).first(),
    ).toBeVisible();
  }
  await expect(page.getByText('No pods with errors')).toHaveCount(2);
  await expect(
    page.getByText(/problem retriev|error communicating|cluster error/i),
  ).toHaveCount(0);
  await page.screenshot({
    path: 'docs/screenshots/official-kubernetes-tab.png',
    fullPage: true,
  });
});
