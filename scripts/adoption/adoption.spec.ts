/*
 * A fresh Backstage app with the packages installed as the README says,
 * running in development mode: sign in as the example org's guest, see a
 * database on its Multi-cluster tab, plan and run a switchover, create a
 * database from the template. Any console error fails the test (development builds log
 * React and MUI warnings a production build hides).
 */
import fs from 'node:fs';
import { parse } from 'yaml';
import { test as base, expect, ConsoleMessage } from '@playwright/test';

interface ClusterEntry {
  name: string;
  url: string;
  serviceAccountToken: string;
}

function clusters(): ClusterEntry[] {
  const file = process.env.ADOPTION_SIMULATOR_CONFIG;
  if (!file) throw new Error('ADOPTION_SIMULATOR_CONFIG is not set');
  const config = parse(fs.readFileSync(file, 'utf8'));
  return config.kubernetes.clusterLocatorMethods[0].clusters;
}

async function statefulSet(cluster: string, namespace: string, name: string) {
  const entry = clusters().find(c => c.name === cluster)!;
  const res = await fetch(
    `${entry.url}/apis/apps/v1/namespaces/${namespace}/statefulsets/${name}`,
    { headers: { authorization: `Bearer ${entry.serviceAccountToken}` } },
  );
  return res.status === 200 ? res.json() : undefined;
}

const NAME = `ledger-${Date.now().toString(36)}`;

/** A console message with its `%s` placeholders filled from its arguments. */
async function formatted(message: ConsoleMessage): Promise<string> {
  const args = await Promise.all(
    message.args().map(a => a.jsonValue().catch(() => String(a))),
  );
  if (typeof args[0] !== 'string') return message.text();
  let rest = args.slice(1);
  const text = args[0].replace(/%[sdoO]/g, () => String(rest.shift() ?? ''));
  rest = rest.filter(a => a !== '');
  return [text, ...rest.map(String)].join(' ');
}

/**
 * Every console error fails the test, except React's development warnings
 * that Backstage's own components raise in any fresh app (material-table's
 * defaultProps, MUI v4's findDOMNode, the catalog table's heading nesting):
 * those are listed, and fail the test too as soon as their component stack
 * passes through this product's packages.
 */
const test = base.extend<{ consoleErrors: void }>({
  consoleErrors: [
    async ({ page }, use) => {
      const pending: Promise<string>[] = [];
      page.on('console', message => {
        if (message.type() !== 'error') return;
        const at = new URL(page.url()).pathname;
        pending.push(formatted(message).then(text => `[${at}] ${text}`));
      });
      page.on('pageerror', error =>
        pending.push(Promise.resolve(error.message)),
      );
      await use();
      const errors = await Promise.all(pending);
      const ours = (e: string) =>
        /@multicluster\/|backstage-plugin-statefulsets/.test(e);
      const upstream = errors.filter(
        e => /^\[[^\]]*\] Warning: /.test(e) && !ours(e),
      );
      // Until the catalog has picked a new entity up, its page answers 404.
      const expected = (e: string) => /status of 404/.test(e);
      const unexpected = errors.filter(
        e => !upstream.includes(e) && !expected(e),
      );
      if (upstream.length > 0) {
        console.log(
          `React development warnings from Backstage's own components (${
            upstream.length
          }):\n${upstream
            .map(e => `  - ${e.split('\n')[0].slice(0, 200)}`)
            .join('\n')}`,
        );
      }
      expect(unexpected, 'console errors in the browser').toEqual([]);
    },
    { auto: true },
  ],
});

test('a fresh app with the plugins: tab, failover plan and template', async ({
  page,
}) => {
  await page.goto('/');
  await page.getByRole('button', { name: 'Enter' }).click();

  // The database's Multi-cluster tab
  await page.getByRole('link', { name: 'orders-mysql' }).first().click();
  const tab = page
    .getByRole('navigation', { name: 'Content navigation' })
    .getByRole('link', { name: 'Multi-cluster' });
  await tab.click();
  const central = page.getByRole('region', { name: 'eu-central' });
  await expect(central.getByText('active', { exact: true })).toBeVisible();

  // A failover planned and run, as the entity's owner (the guest is in `guests`)
  await page.getByRole('button', { name: 'Failover' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByRole('button', { name: /Target cluster/ }).click();
  await page.getByRole('option', { name: 'eu-west' }).click();
  await expect(
    dialog.getByRole('list', { name: 'Failover checks' }),
  ).toBeVisible();
  await dialog.getByLabel('Type orders-mysql to confirm').fill('orders-mysql');
  await dialog.getByRole('button', { name: 'Start switchover' }).click();
  await expect(dialog.getByText(/^succeeded$/).first()).toBeVisible({
    timeout: 120_000,
  });
  await dialog.getByRole('button', { name: 'Close' }).click();
  await expect(
    page.getByRole('region', { name: 'eu-west' }).getByText('active', {
      exact: true,
    }),
  ).toBeVisible();

  // The template, from the package's templates/ folder
  await page.goto('/create/templates/default/multicluster-database');
  await page.getByLabel('Name').first().fill(NAME);
  await page.getByLabel('Owner').fill('guests');
  await page
    .getByRole('option', { name: /guests/ })
    .first()
    .click();
  await page.getByLabel('Kubernetes namespace').fill('databases');
  await page.getByRole('button', { name: /PostgreSQL/ }).click();
  await page.getByRole('option', { name: /^MySQL/ }).click();
  await page.getByRole('button', { name: 'Next' }).click();
  await expect(
    page.getByRole('checkbox', { name: 'Use eu-central' }),
  ).toBeChecked();
  await expect(
    page.getByRole('checkbox', { name: 'Use eu-west' }),
  ).toBeChecked();
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByRole('button', { name: 'Review' }).click();
  await page.getByRole('button', { name: 'Create' }).click();
  await expect(
    page.getByRole('link', { name: 'Open the database in the catalog' }),
  ).toBeVisible({ timeout: 180_000 });
  for (const cluster of ['eu-central', 'eu-west']) {
    expect(
      (await statefulSet(cluster, 'databases', NAME))?.metadata?.name,
    ).toBe(NAME);
  }
});
