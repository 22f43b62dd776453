/*
 * Databases the portal did not create: the demo's databases labelled with
 * backstage.io/owner and running in two clusters are discovered, registered
 * in the catalog by the discovery provider with a working Multi-cluster tab,
 * the demo's own entities are not doubled, and the "Not in the catalog yet"
 * page is in the sidebar.
 */
import { test, expect, guestHeaders, signIn } from './fixtures';

test('discovered databases reach the catalog without doubling the demo entities', async ({
  page,
}) => {
  await signIn(page);
  const headers = await guestHeaders(page);

  // The discovery and the provider run every 15 s in the demo.
  await expect
    .poll(
      async () => {
        const res = await page.request.get(
          '/api/catalog/entities/by-name/component/default/shop-mysql',
          { headers },
        );
        return res.status();
      },
      { timeout: 90_000, intervals: [2000] },
    )
    .toBe(200);

  const discovered = await (
    await page.request.get(
      '/api/multicluster-statefulsets/discovery/databases',
      {
        headers,
      },
    )
  ).json();
  expect(discovered.enabled).toBe(true);
  const shop = discovered.items.find((i: any) => i.name === 'shop-mysql');
  expect(shop.groupedBy).toBe('same backstage.io/kubernetes-id');
  expect(shop.clusters).toEqual(['eu-central', 'eu-west']);
  expect(shop.entity.spec.owner).toBe('group:default/database-platform');

  // No entity discovery registered points at a demo entity's objects: the
  // entities of examples/databases.yaml keep being the ones with their id.
  const registered = await (
    await page.request.get(
      '/api/catalog/entities/by-query?filter=kind=component&fields=metadata.name,metadata.annotations&limit=500',
      { headers },
    )
  ).json();
  const fromDiscovery = registered.items.filter((e: any) =>
    (
      e.metadata.annotations?.['backstage.io/managed-by-location'] ?? ''
    ).startsWith('multicluster-statefulsets-discovery:'),
  );
  expect(fromDiscovery.map((e: any) => e.metadata.name)).toContain(
    'shop-mysql',
  );
  for (const id of ['orders-mysql', 'events-kafka', 'search-elasticsearch']) {
    expect(
      fromDiscovery.filter(
        (e: any) =>
          e.metadata.name === id ||
          e.metadata.annotations?.['backstage.io/kubernetes-id'] === id,
      ),
      id,
    ).toEqual([]);
  }

  // The registered entity says where it came from, and its tab works.
  const entity = await (
    await page.request.get(
      '/api/catalog/entities/by-name/component/default/shop-mysql',
      { headers },
    )
  ).json();
  expect(entity.metadata.annotations['backstage.io/managed-by-location']).toBe(
    'multicluster-statefulsets-discovery:kubernetes-id/databases/shop-mysql',
  );
  await page.goto('/catalog/default/component/shop-mysql');
  await page
    .getByRole('navigation', { name: 'Content navigation' })
    .getByRole('link', { name: 'Multi-cluster' })
    .click();
  for (const cluster of ['eu-central', 'eu-west']) {
    await expect(
      page.getByText(cluster, { exact: true }).first(),
    ).toBeVisible();
  }

  // The page of the rest, from the sidebar.
  await page.getByRole('link', { name: 'Not in the catalog yet' }).click();
  await expect(page).toHaveURL(/\/discovered-databases$/);
  await expect(
    page.getByText(/whose entity is not in the catalog yet/),
  ).toBeVisible();
  await expect(
    page
      .getByText('Every discovered database is in the catalog')
      .or(page.getByText(/Why it is not registered/).first()),
  ).toBeVisible();
});
