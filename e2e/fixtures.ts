/*
 * Shared browser-test fixtures: every page fails its test on a console error
 * or an uncaught exception (a test may name the errors it expects), and
 * `signIn` enters the portal as the demo guest.
 */
import { test as base, expect, Page } from '@playwright/test';

export const test = base.extend<{
  consoleErrors: string[];
  allowedConsoleErrors: RegExp[];
}>({
  allowedConsoleErrors: [[], { option: true }],
  consoleErrors: [
    async ({ page, allowedConsoleErrors }, use) => {
      const errors: string[] = [];
      page.on('console', message => {
        if (message.type() === 'error') {
          errors.push(message.text());
        }
      });
      page.on('pageerror', error => errors.push(error.message));
      await use(errors);
      const unexpected = errors.filter(
        e => !allowedConsoleErrors.some(allowed => allowed.test(e)),
      );
      expect(unexpected, 'console errors in the browser').toEqual([]);
    },
    { auto: true },
  ],
});

export { expect };

/** Opens the portal and signs in with the guest provider. */
export async function signIn(page: Page) {
  await page.goto('/');
  const enter = page.getByRole('button', { name: 'Enter' });
  await enter.click();
  await expect(
    page.getByRole('heading', { name: /Catalog/ }).first(),
  ).toBeVisible();
}

/** The signed-in guest's token, as headers for the portal's APIs. */
export async function guestHeaders(page: Page) {
  const refresh = await page.request.get('/api/auth/guest/refresh', {
    headers: { 'X-Requested-With': 'XMLHttpRequest' },
  });
  expect(refresh.ok()).toBe(true);
  return {
    Authorization: `Bearer ${(await refresh.json()).backstageIdentity.token}`,
  };
}

/**
 * Waits until catalog discovery has registered a demo database (its
 * provider runs every 15 s in the demo).
 */
export async function waitForDiscovered(page: Page, name: string) {
  const headers = await guestHeaders(page);
  await expect
    .poll(
      async () =>
        (
          await page.request.get(
            `/api/catalog/entities/by-name/component/default/${name}`,
            { headers },
          )
        ).status(),
      { timeout: 90_000, intervals: [2000] },
    )
    .toBe(200);
}
