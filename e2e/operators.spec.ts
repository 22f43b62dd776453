/*
 * Databases the portal did not create, as their Multi-cluster tabs show
 * them: a Strimzi Kafka mirrored by MirrorMaker 2, an ECK Elasticsearch
 * followed by cross-cluster replication and a Bitnami Helm chart MySQL with
 * a version skew — none carrying the product's annotations, all registered
 * by discovery — with each role, link and lag naming where it was read.
 */
import { Page } from '@playwright/test';
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
