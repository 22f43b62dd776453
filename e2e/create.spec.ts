/*
 * Creating databases from the Create page, offline: the template generates
 * the manifests, the backend applies them to the simulated clusters, the
 * entity appears in the catalog, and its Multi-cluster tab shows it running
 * with its replication link healthy. The simulator derives that link from
 * the engine's own configuration in the applied objects (MySQL's
 * CHANGE REPLICATION SOURCE, CloudNativePG's externalClusters and
 * certificates) and the DNS the routing provides, not from an annotation:
 * the link is healthy because the configuration is right.
 */
import { Page } from '@playwright/test';
import { test, expect, signIn } from './fixtures';
import { kubectl, statefulSetsOf } from './clusters';

const SUFFIX = Date.now().toString(36);

// Until the catalog has picked the new entity up, its page answers 404.
test.use({ allowedConsoleErrors: [/status of 404/] });

/** Fills the template's first page and leaves the rest at its defaults. */
async function createDatabase(page: Page, name: string, engine: RegExp) {
  await page.goto('/create');
  await page
    .getByRole('button', { name: /Choose/ })
    .first()
    .click();
  await page.getByLabel('Name').first().fill(name);
  await page.getByLabel('Owner').fill('Database');
  await page
    .getByRole('option', { name: /Database Platform|database-platform/ })
    .first()
    .click();
  await page.getByLabel('Kubernetes namespace').fill('databases');
  await page.getByRole('button', { name: /PostgreSQL/ }).click();
  await page.getByRole('option', { name: engine }).click();
  await page.getByRole('button', { name: 'Next' }).click();

  // Placement: the cluster picker lists the backend's configured clusters
  await expect(
    page.getByRole('checkbox', { name: 'Use us-east' }),
  ).toBeVisible();
  await expect(
    page.getByRole('checkbox', { name: 'Use eu-central' }),
  ).toBeChecked();
  await expect(
    page.getByRole('checkbox', { name: 'Use eu-west' }),
  ).toBeChecked();
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByRole('button', { name: 'Review' }).click();
  await page.getByRole('button', { name: 'Create' }).click();
}

/** Opens the new entity's Multi-cluster tab once the catalog has it. */
async function openMultiClusterTab(page: Page) {
  await page
    .getByRole('link', { name: 'Open the database in the catalog' })
    .click();
  const tab = page
    .getByRole('navigation', { name: 'Content navigation' })
    .getByRole('link', { name: 'Multi-cluster' });
  await expect(async () => {
    await page.reload();
    await expect(tab).toBeVisible({ timeout: 5_000 });
  }).toPass({ timeout: 90_000 });
  await tab.click();
}

/** The link from eu-central to eu-west carries a lag and no error. */
async function expectHealthyLink(page: Page, name: string) {
  const links = page.getByRole('list', { name: 'Replication links' });
  await expect(links).toContainText(
    new RegExp(`eu-central → eu-west \\(${name}\\): lag \\d+(\\.\\d)? s`),
    { timeout: 60_000 },
  );
  await expect(links).not.toContainText('broken');
}

test('creates a multi-cluster MySQL whose replicas really connect', async ({
  page,
}) => {
  test.setTimeout(300_000);
  const name = `ledger-${SUFFIX}`;
  await signIn(page);
  await createDatabase(page, name, /^MySQL/);

  const open = page.getByRole('link', {
    name: 'Open the database in the catalog',
  });
  await expect(open).toBeVisible({ timeout: 180_000 });
  await page.screenshot({
    path: 'docs/screenshots/template-done.png',
    fullPage: true,
  });
  for (const cluster of ['eu-central', 'eu-west']) {
    const sets = statefulSetsOf(cluster, name);
    expect(sets.map(s => s.name)).toEqual([name]);
  }
  expect(statefulSetsOf('us-east', name)).toEqual([]);

  // The catalog provider picks the new entity up within seconds of the apply
  await openMultiClusterTab(page);
  const central = page.getByRole('region', { name: 'eu-central' });
  await expect(central.getByText('active', { exact: true })).toBeVisible({
    timeout: 30_000,
  });
  await expect(
    central
      .getByRole('list', { name: `Pods of ${name} in eu-central` })
      .getByRole('listitem'),
  ).toHaveCount(3, { timeout: 30_000 });
  await expectHealthyLink(page, name);

  // Leave the demo as it was
  for (const cluster of ['eu-central', 'eu-west']) {
    kubectl(
      cluster,
      'delete',
      'statefulset',
      name,
      '-n',
      'databases',
      '--wait=false',
    );
  }
});

test('creates CloudNativePG replica clusters that trust each other through the shared CA', async ({
  page,
}) => {
  test.setTimeout(300_000);
  const name = `billing-${SUFFIX}`;
  await signIn(page);
  await createDatabase(page, name, /^PostgreSQL/);
  await expect(
    page.getByRole('link', { name: 'Open the database in the catalog' }),
  ).toBeVisible({ timeout: 180_000 });

  await openMultiClusterTab(page);
  const central = page.getByRole('region', { name: 'eu-central' });
  await expect(central.getByText('active', { exact: true })).toBeVisible({
    timeout: 60_000,
  });
  await expectHealthyLink(page, name);

  for (const cluster of ['eu-central', 'eu-west']) {
    kubectl(
      cluster,
      'delete',
      'clusters.postgresql.cnpg.io',
      name,
      '-n',
      'databases',
      '--wait=false',
    );
  }
});
