/*
 * Databases the portal did not create, as their Multi-cluster tabs show
 * them: a Strimzi Kafka mirrored by MirrorMaker 2, an ECK Elasticsearch
 * followed by cross-cluster replication and a Bitnami Helm chart MySQL with
 * a version skew — none carrying the product's annotations, all registered
 * by discovery — with each role, link and lag naming where it was read.
 * Then the Strimzi Kafka's owner stamps it and switches it over and back
 * from the page.
 */
import { Page } from '@playwright/test';
import { kubectl } from './clusters';
import { test, expect, signIn, waitForDiscovered } from './fixtures';

async function openTab(page: Page, name: string) {
  await waitForDiscovered(page, name);
  await page.goto(`/catalog/default/component/${name}/multi-cluster`);
  await expect(page.getByText('DR readiness').first()).toBeVisible({
    timeout: 30_000,
  });
}

const linkItem = (page: Page) =>
  page.getByRole('list', { name: 'Replication links' }).getByRole('listitem');

test('a Strimzi Kafka mirrored by MirrorMaker 2 shows its roles and link from Strimzi, its lag from Prometheus', async ({
  page,
}) => {
  await signIn(page);
  await openTab(page, 'clickstream');
  await expect(page.getByLabel('Role of clickstream')).toHaveText([
    'primary · role from Strimzi',
    'replica · role from Strimzi',
  ]);
  await expect(linkItem(page)).toHaveCount(1);
  await expect(linkItem(page)).toContainText(
    /eu-central → us-east \(clickstream\): lag \d+\.\d s \(link from Strimzi · lag from prometheus\)/,
    { timeout: 60_000 },
  );
  await expect(page.getByText('clickstream: from Prometheus')).toBeVisible();
  await page.screenshot({
    path: 'docs/screenshots/operator-database.png',
    fullPage: true,
  });
});

test('an ECK Elasticsearch followed across clusters shows its roles and link from ECK', async ({
  page,
}) => {
  await signIn(page);
  await openTab(page, 'logs');
  await expect(page.getByLabel('Role of logs-es-default')).toHaveText([
    'primary · role from ECK',
    'replica · role from ECK',
  ]);
  await expect(linkItem(page)).toContainText(
    /eu-west → us-east \(logs-es-default\): lag \d+\.\d s \(link from ECK · lag from prometheus\)/,
    { timeout: 60_000 },
  );
});

test('a Helm chart MySQL links by its replication settings and fails readiness on its older replica', async ({
  page,
}) => {
  await signIn(page);
  await openTab(page, 'shop-mysql');
  // With Prometheus scraping the clusters, the roles come from the engine
  // (mysqld_exporter's read-only flags); without it, from the chart's label.
  const fromEngine = process.env.E2E_PROMETHEUS === '1';
  await expect(page.getByLabel('Role of shop-mysql-primary')).toHaveText(
    fromEngine
      ? 'primary · role from the engine (mysqld_exporter)'
      : "primary · role from the chart's component label (primary)",
  );
  await expect(page.getByLabel('Role of shop-mysql-dr-secondary')).toHaveText(
    fromEngine
      ? 'replica · role from the engine (mysqld_exporter)'
      : "replica · role from the chart's component label (secondary)",
  );
  await expect(linkItem(page)).toContainText(
    /eu-central → eu-west \(shop-mysql-dr-secondary\): lag \d+\.\d s \(link from the chart's replication settings · lag from prometheus\)/,
    { timeout: 60_000 },
  );
  await expect(
    page.getByText(
      /replica eu-west\/shop-mysql-dr-secondary runs mysql 8\.0\.42.*the replica is older than its primary/,
    ),
  ).toBeVisible();
  const drift = page.getByRole('row').filter({ hasText: 'image[mysql]' });
  await expect(drift).toContainText('8.4.5');
  await expect(drift).toContainText('8.0.42');
});

/** Where clickstream's KafkaMirrorMaker2 in us-east mirrors from and into. */
function mirrorDirection(): string {
  return kubectl(
    'us-east',
    'get',
    'kafkamirrormaker2',
    'clickstream-mirror',
    '-n',
    'databases',
    '-o',
    'jsonpath={.spec.mirrors[0].source.alias}->{.spec.target.alias}',
  );
}

/** Switches clickstream over to `target` from the open tab, reading the plan's Kafka commands first. */
async function switchClickstream(page: Page, target: string) {
  await page.getByRole('button', { name: 'Failover', exact: true }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByRole('button', { name: /Target cluster/ }).click();
  await page.getByRole('option', { name: target }).click();
  const steps = dialog.getByRole('list', { name: 'Failover steps' });
  await expect(steps).toContainText('kafka-get-offsets.sh');
  await expect(steps).toContainText('KafkaMirrorMaker2 mirroring');
  await expect(dialog.getByLabel('Data-loss window')).toHaveText(
    /^Data-loss window: 0 s · \d+ offsets \(/,
  );
  await dialog.getByLabel('Type clickstream to confirm').fill('clickstream');
  await dialog.getByRole('button', { name: 'Start switchover' }).click();
  await expect(dialog.getByText(/^succeeded$/).first()).toBeVisible({
    timeout: 90_000,
  });
  await dialog.getByRole('button', { name: 'Close' }).click();
}

test('the owner of the Strimzi Kafka stamps it and switches it over and back through its KafkaMirrorMaker2', async ({
  page,
}) => {
  test.setTimeout(240_000);
  await signIn(page);
  await openTab(page, 'clickstream');
  // Unstamped, the plan refuses and says how the owner stamps the Kafkas.
  await page.getByRole('button', { name: 'Failover', exact: true }).click();
  const dialog = page.getByRole('dialog');
  await expect(dialog).toContainText(
    'kubectl --context eu-central annotate kafka clickstream -n databases multicluster-statefulsets/owner-entity=component:default/clickstream',
  );
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  for (const cluster of ['eu-central', 'us-east']) {
    kubectl(
      cluster,
      'annotate',
      'kafka',
      'clickstream',
      '-n',
      'databases',
      'multicluster-statefulsets/owner-entity=component:default/clickstream',
    );
  }
  // Stamped for the entity discovery registered, it stays in the catalog.
  await page.reload();
  await expect(page.getByText('DR readiness').first()).toBeVisible({
    timeout: 30_000,
  });
  const region = (name: string) => page.getByRole('region', { name });
  await expect(
    region('eu-central').getByText('active', { exact: true }),
  ).toBeVisible();

  await switchClickstream(page, 'us-east');
  expect(mirrorDirection()).toBe('us-east->eu-central');
  await expect(
    region('eu-central').getByText('passive', { exact: true }),
  ).toBeVisible({ timeout: 30_000 });
  await expect(
    region('us-east').getByText('active', { exact: true }),
  ).toBeVisible();
  await expect(linkItem(page)).toContainText('us-east → eu-central', {
    timeout: 30_000,
  });

  await switchClickstream(page, 'eu-central');
  expect(mirrorDirection()).toBe('eu-central->us-east');
  await expect(
    region('us-east').getByText('passive', { exact: true }),
  ).toBeVisible({ timeout: 30_000 });
  await expect(
    region('eu-central').getByText('active', { exact: true }),
  ).toBeVisible();
});
