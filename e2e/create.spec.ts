/*
 * Creating a database from the Create page, offline: the template generates
 * the manifests, the backend applies them to the simulated clusters, the
 * entity appears in the catalog, and its Multi-cluster tab shows it running.
 */
import { test, expect, signIn } from './fixtures';
import { kubectl, statefulSetsOf } from './clusters';

const NAME = `ledger-${Date.now().toString(36)}`;

// Until the catalog has picked the new entity up, its page answers 404.
test.use({ allowedConsoleErrors: [/status of 404/] });

test('creates a multi-cluster MySQL from the template', async ({ page }) => {
  test.setTimeout(300_000);
  await signIn(page);
  await page.goto('/create');
  await page
    .getByRole('button', { name: /Choose/ })
    .first()
    .click();

  await page.getByLabel('Name').first().fill(NAME);
  await page.getByLabel('Owner').fill('Database');
  await page
    .getByRole('option', { name: /Database Platform|database-platform/ })
    .first()
    .click();
  await page.getByLabel('Kubernetes namespace').fill('databases');
  await page.getByRole('button', { name: /PostgreSQL/ }).click();
  await page.getByRole('option', { name: /^MySQL/ }).click();
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

  const open = page.getByRole('link', {
    name: 'Open the database in the catalog',
  });
  await expect(open).toBeVisible({ timeout: 180_000 });
  await page.screenshot({
    path: 'docs/screenshots/template-done.png',
    fullPage: true,
  });

  for (const cluster of ['eu-central', 'eu-west']) {
    const sets = statefulSetsOf(cluster, NAME);
    expect(sets.map(s => s.name)).toEqual([NAME]);
  }
  expect(statefulSetsOf('us-east', NAME)).toEqual([]);

  // The catalog provider picks the new entity up within seconds of the apply
  await open.click();
  const tab = page
    .getByRole('navigation', { name: 'Content navigation' })
    .getByRole('link', { name: 'Multi-cluster' });
  await expect(async () => {
    await page.reload();
    await expect(tab).toBeVisible({ timeout: 5_000 });
  }).toPass({ timeout: 90_000 });
  await tab.click();
  const central = page.getByRole('region', { name: 'eu-central' });
  await expect(central.getByText('active', { exact: true })).toBeVisible({
    timeout: 30_000,
  });
  await expect(
    central
      .getByRole('list', { name: `Pods of ${NAME} in eu-central` })
      .getByRole('listitem'),
  ).toHaveCount(3, { timeout: 30_000 });

  // Leave the demo as it was
  for (const cluster of ['eu-central', 'eu-west']) {
    kubectl(
      cluster,
      'delete',
      'statefulset',
      NAME,
      '-n',
      'databases',
      '--wait=false',
    );
  }
});
