export * from './MultiClusterStatefulSetsApi';
export * from './MultiClusterStatefulSetsClient';
