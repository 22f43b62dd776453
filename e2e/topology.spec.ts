/*
 * The Multi-cluster tab against the running portal and demo clusters: what
 * every demo database shows matches what kubectl reads from the clusters; a
 * cluster taken down is marked unreachable within seconds while the others
 * stay; a replica count changed with kubectl appears on the open page.
 */
import { test, expect, signIn } from './fixtures';
import { CLUSTERS, kubectl, setFaults, statefulSetsOf } from './clusters';

const DATABASES = [
  'orders-mysql',
  'sessions-mongodb',
  'events-kafka',
  'search-elasticsearch',
  'media-shared',
  'inventory-kubefed',
  'catalog-karmada',
];

function tabUrl(name: string) {
  return `/catalog/default/component/${name}/multi-cluster`;
}

test.describe('Multi-cluster tab', () => {
  test.beforeEach(async ({ page }) => {
    await signIn(page);
  });

  for (const name of DATABASES) {
    test(`shows ${name} as the clusters run it`, async ({ page }) => {
      await page.goto(tabUrl(name));
      for (const cluster of CLUSTERS) {
        const panel = page.getByRole('region', { name: cluster });
        await expect(panel).toBeVisible();
        for (const sts of statefulSetsOf(cluster, name)) {
          const pods = panel.getByRole('list', {
            name: `Pods of ${sts.name} in ${cluster}`,
          });
          await expect(pods.getByRole('listitem')).toHaveCount(sts.replicas);
          if (sts.role) {
            // The declared role, unless the engine reports another one
            // (read through its exporter when Prometheus scrapes the
            // clusters), which the page then shows with the declared one.
            const declared = panel.getByText(sts.role, { exact: true });
            const overruled = panel.getByText(/: the engine wins\)/);
            await expect(declared.or(overruled).first()).toBeVisible();
          }
        }
      }
    });
  }

  test('shows roles, traffic weights and lag of the MySQL pair', async ({
    page,
  }) => {
    await page.goto(tabUrl('orders-mysql'));
    const central = page.getByRole('region', { name: 'eu-central' });
    const west = page.getByRole('region', { name: 'eu-west' });
    await expect(central.getByText('active', { exact: true })).toBeVisible();
    await expect(central.getByText('Traffic 100%')).toBeVisible();
    await expect(west.getByText('passive', { exact: true })).toBeVisible();
    await expect(west.getByText('Traffic 0%')).toBeVisible();
    const links = page.getByRole('list', { name: 'Replication links' });
    await expect(links).toContainText(
      /eu-central → eu-west \(orders-mysql\): lag \d+\.\d s/,
    );
    if (process.env.E2E_PROMETHEUS === '1') {
      // The lag comes from the demo Prometheus scraping the clusters' /metrics.
      await expect(links).toContainText('(lag from prometheus)');
    }
    await expect(page.getByText('DR readiness').first()).toBeVisible();
    await page.screenshot({
      path: 'docs/screenshots/multi-cluster-tab.png',
      fullPage: true,
    });
  });

  test('marks a cluster that goes down as unreachable while the others stay', async ({
    page,
  }) => {
    await page.goto(tabUrl('orders-mysql'));
    const west = page.getByRole('region', { name: 'eu-west' });
    const central = page.getByRole('region', { name: 'eu-central' });
    await expect(west.getByText('passive', { exact: true })).toBeVisible();
    try {
      await setFaults('eu-west', { down: true });
      await expect(west.getByText(/Unreachable|cached data/)).toBeVisible({
        timeout: 15_000,
      });
      await expect(
        central.getByRole('list', {
          name: 'Pods of orders-mysql in eu-central',
        }),
      ).toBeVisible();
      await page.screenshot({
        path: 'docs/screenshots/cluster-unreachable.png',
        fullPage: true,
      });
    } finally {
      await setFaults('eu-west', {});
    }
    await expect(west.getByText(/Unreachable|cached data/)).toHaveCount(0, {
      timeout: 30_000,
    });
  });

  test('reflects a replica count changed with kubectl', async ({ page }) => {
    await page.goto(tabUrl('orders-mysql'));
    const pods = page
      .getByRole('region', { name: 'eu-west' })
      .getByRole('list', { name: 'Pods of orders-mysql in eu-west' })
      .getByRole('listitem');
    await expect(pods).toHaveCount(3);
    try {
      kubectl(
        'eu-west',
        'scale',
        'statefulset',
        'orders-mysql',
        '-n',
        'databases',
        '--replicas=4',
      );
      await expect(pods).toHaveCount(4, { timeout: 10_000 });
    } finally {
      kubectl(
        'eu-west',
        'scale',
        'statefulset',
        'orders-mysql',
        '-n',
        'databases',
        '--replicas=3',
      );
    }
    await expect(pods).toHaveCount(3, { timeout: 10_000 });
  });
});
