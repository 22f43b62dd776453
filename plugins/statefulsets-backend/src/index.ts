/*
 * Multi-cluster StatefulSets backend plugin: cluster access and watch cache,
 * and the topology API.
 */
export { multiclusterStatefulsetsPlugin as default } from './plugin';
