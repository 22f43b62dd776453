/*
 * Discovery of databases the portal did not create, for the catalog
 * provider and the "Not in the catalog yet" page.
 */
export { DatabaseDiscovery } from './DatabaseDiscovery';
export type {
  DiscoveredDatabases,
  DiscoveryClusterReader,
} from './DatabaseDiscovery';
export {
  ClusterDiscoveryReader,
  DISCOVERY_KINDS,
} from './readClusterForDiscovery';
export { createDiscoveryRouter } from './createDiscoveryRouter';
export { groupDatabases } from './groupDatabases';
export type { DiscoveredDatabase, GroupingOptions } from './groupDatabases';
export { matchCatalog } from './matchCatalog';
export { readDiscoveryConfig } from './readDiscoveryConfig';
export type { DiscoveryOptions } from './readDiscoveryConfig';
