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
