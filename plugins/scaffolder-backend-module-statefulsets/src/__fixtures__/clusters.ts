/*
 * The demo clusters as the backend plugin lists them, shared by tests,
 * examples and the bench.
 */
import { ClusterInfo } from '../generate/types';

/**
 * Three member clusters; `karmada` is the Karmada API server (no member),
 * us-east hosts KubeFed.
 */
export const demoClusters: ClusterInfo[] = [
  {
    name: 'eu-central',
    region: 'eu-central-1',
    zones: ['eu-central-1a', 'eu-central-1b'],
  },
  {
    name: 'eu-west',
    region: 'eu-west-1',
    zones: ['eu-west-1a', 'eu-west-1b'],
  },
  {
    name: 'us-east',
    region: 'us-east-1',
    zones: ['us-east-1a'],
    federationHost: 'kubefed',
  },
  {
    name: 'karmada',
    region: 'eu-central-1',
    zones: [],
    federationHost: 'karmada',
  },
];
