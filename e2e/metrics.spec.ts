/*
 * The backend's metrics endpoint (packages/backend/src/instrumentation.js):
 * after a database's page was opened, Prometheus sees every demo cluster up,
 * its informers and the topology's compute time — and no credentials.
 */
import { test, expect, signIn } from './fixtures';

const METRICS =
  process.env.PORTAL_METRICS_URL ?? 'http://localhost:9464/metrics';

test('the backend exports the plugin’s metrics for Prometheus', async ({
  page,
}) => {
  await signIn(page);
  await page.goto('/catalog/default/component/orders-mysql/multi-cluster');
  await expect(
    page.getByRole('region', { name: 'eu-central' }).getByText('active', {
      exact: true,
    }),
  ).toBeVisible();

  let text = '';
  const line = (name: string, labels = '') =>
    text.split('\n').find(l => l.startsWith(name) && l.includes(labels));
  await expect(async () => {
    text = await (await fetch(METRICS)).text();
    for (const cluster of ['eu-central', 'eu-west', 'us-east']) {
      expect(
        line('multicluster_statefulsets_cluster_up', `cluster="${cluster}"`),
      ).toMatch(/ 1$/);
    }
  }).toPass({ timeout: 30_000 });
  expect(
    line('multicluster_statefulsets_informers', 'cluster="eu-central"'),
  ).toMatch(/ [1-9]\d*$/);
  expect(
    line('multicluster_statefulsets_topology_compute_duration', '_count'),
  ).toMatch(/ [1-9]\d*$/);
  expect(text).not.toMatch(/demo-(read-|write-)?token/);
});
