/*
 * Runs a switchover of the demo MySQL from its Multi-cluster tab, as an
 * owner does: the Failover dialog, the target, the typed confirmation, and
 * the run followed to its end.
 */
import { Page } from '@playwright/test';
import { expect } from './fixtures';

/** Switches orders-mysql over to `target` from the open Multi-cluster tab; waits for success. */
export async function switchOver(page: Page, target: string) {
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
