/*
 * The page with its own header, for apps on the legacy frontend system
 * (the new system's page blueprint draws the header itself).
 */
import { Header, Page } from '@backstage/core-components';
import { DiscoveredDatabasesPage } from './DiscoveredDatabasesPage';

/** "Not in the catalog yet", with a page header. */
export function DiscoveredDatabasesStandalonePage() {
  return (
    <Page themeId="tool">
      <Header
        title="Not in the catalog yet"
        subtitle="Databases running in several clusters without a catalog entity"
      />
      <DiscoveredDatabasesPage />
    </Page>
  );
}
