/*
 * The apply half of the Software Template flow: server-side apply of
 * generated manifests to the clusters and the feed of generated catalog
 * entities.
 */
export { createApplyRouter } from './createApplyRouter';
export type { ApplyRouterService } from './createApplyRouter';
export { ApplyService, withLocationAnnotations } from './ApplyService';
export { ApplyClusterClient, FIELD_MANAGER } from './ApplyClusterClient';
export { DatabaseGeneratedEntityStore } from './DatabaseGeneratedEntityStore';
export type * from './types';
