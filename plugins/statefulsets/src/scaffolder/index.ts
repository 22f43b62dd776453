export * from './MultiClusterPicker';
