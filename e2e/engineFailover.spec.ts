/*
 * Switchover and failback through each engine, from the page: for every
 * demo database whose provider changes the engine itself, the owner opens
 * the failover dialog, reads the engine commands each step will run and
 * the data-loss window in the engine's unit, confirms, and the run
 * succeeds. Then the real kubectl exec into each cluster's first pod shows
 * that the engines swapped (flags, replication source), that the new
 * primary takes a write and the old one refuses it, and the page shows the
 * roles read from the engine. The same again back to the first cluster.
 */
import { Page } from '@playwright/test';
import { test, expect, signIn } from './fixtures';
import { ENGINE_CASES } from './engineCases';
import { EngineCase, firstPod, readEngine } from './engineProbes';

/** Runs a switchover of `c` to `target` from the open Multi-cluster tab, checking the plan's words first. */
async function switchOverChecked(page: Page, c: EngineCase, target: string) {
  await page.getByRole('button', { name: 'Failover' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByRole('button', { name: /Target cluster/ }).click();
  await page.getByRole('option', { name: target }).click();
  await expect(dialog.getByRole('button', { name: /Mode/ })).toContainText(
    'Planned switchover',
  );
  const steps = dialog.getByRole('list', { name: 'Failover steps' });
  for (const command of c.dialog.commands) {
    await expect(steps).toContainText(command);
  }
  // The window in seconds next to the engine's own count.
  await expect(dialog.getByLabel('Data-loss window')).toHaveText(
    new RegExp(`^Data-loss window: 0 s · [\\d.]+ ${c.dialog.unit} \\(`),
  );
  await dialog.getByLabel(`Type ${c.entity} to confirm`).fill(c.entity);
  await dialog.getByRole('button', { name: 'Start switchover' }).click();
  await expect(dialog.getByText(/^succeeded$/).first()).toBeVisible({
    timeout: 90_000,
  });
  await dialog.getByRole('button', { name: 'Close' }).click();
}

/** `text` as a regular expression matching itself. */
function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The engine's answer, or why it could not be read (a poll then tries again). */
function engineOf(c: EngineCase, cluster: string) {
  try {
    return readEngine(c, cluster);
  } catch (e) {
    return (e as Error).message;
  }
}

/** Checks in the engines and on the page that `primary` took over from `old`. */
async function expectSwapped(
  page: Page,
  c: EngineCase,
  primary: string,
  old: string,
) {
  const newPod = firstPod(c, primary);
  await expect
    .poll(() => engineOf(c, primary), { timeout: 30_000 })
    .toEqual({ pod: newPod, role: 'primary', source: undefined });
  await expect
    .poll(() => engineOf(c, old), { timeout: 30_000 })
    .toEqual({
      pod: firstPod(c, old),
      role: 'replica',
      source: {
        from: expect.stringContaining(
          c.sourceMark?.(primary, newPod) ?? newPod,
        ),
        running: true,
      },
    });
  expect(c.write(primary)).toBe('accepted');
  expect(c.write(old)).toBe('refused');

  const primaryRegion = page.getByRole('region', { name: primary });
  const oldRegion = page.getByRole('region', { name: old });
  await expect(primaryRegion.getByText('active', { exact: true })).toBeVisible({
    timeout: 30_000,
  });
  await expect(oldRegion.getByText('passive', { exact: true })).toBeVisible({
    timeout: 30_000,
  });
  if (process.env.E2E_PROMETHEUS === '1') {
    // Read from the exporter's series of the engine, not the annotations.
    const role = (region: typeof primaryRegion) =>
      region.getByLabel(`Role of ${c.workload ?? c.entity}`, { exact: true });
    // (A declared role the engine overrides may follow in parentheses.)
    const fromEngine = (r: string) =>
      new RegExp(`^${r} · role from ${escape(c.roleSource)}`);
    await expect(role(primaryRegion)).toHaveText(fromEngine('primary'), {
      timeout: 60_000,
    });
    await expect(role(oldRegion)).toHaveText(fromEngine('replica'), {
      timeout: 60_000,
    });
  }
}

for (const c of ENGINE_CASES) {
  test(`${c.engine}: switches ${c.entity} over to ${c.replica} and back through the engine`, async ({
    page,
  }) => {
    test.setTimeout(360_000);
    // The demo starts with the engines as the catalog declares them.
    expect(readEngine(c, c.primary).role).toBe('primary');
    expect(readEngine(c, c.replica).role).toBe('replica');

    await signIn(page);
    await page.goto(`/catalog/default/component/${c.entity}/multi-cluster`);
    const primary = page.getByRole('region', { name: c.primary });
    const replica = page.getByRole('region', { name: c.replica });
    await expect(primary.getByText('active', { exact: true })).toBeVisible();
    await expect(replica.getByText(/(\d+)\/\1 ready/).first()).toBeVisible({
      timeout: 60_000,
    });

    await switchOverChecked(page, c, c.replica);
    await expectSwapped(page, c, c.replica, c.primary);

    // Failback: the old primary is ready again before it takes over.
    await expect(primary.getByText(/(\d+)\/\1 ready/).first()).toBeVisible({
      timeout: 60_000,
    });
    await switchOverChecked(page, c, c.primary);
    await expectSwapped(page, c, c.primary, c.replica);
  });
}
