/*
 * The "Not in the catalog yet" page of discovered databases.
 */
export { DiscoveredDatabasesPage } from './DiscoveredDatabasesPage';
export { DiscoveredDatabasesStandalonePage } from './DiscoveredDatabasesStandalonePage';
