/*
 * What PostgreSQL rules out: CloudNativePG has one primary, runs as its own
 * Cluster kind rather than a StatefulSet, and owns its volumes.
 */
import { Federation, GenerateRequest } from '../types';
import { NormalizedRequest } from '../validateRequest';
import { fail } from './fail';

/** Fails on the strategy, federation or storage PostgreSQL cannot run with. */
export function checkPostgresql(
  request: GenerateRequest,
  federation: Federation,
  storage: NormalizedRequest['storage'],
) {
  if (request.strategy === 'active-active') {
    fail(
      'strategy',
      'CloudNativePG runs one primary across its replica clusters, so PostgreSQL cannot be active-active',
      'choose strategy active-passive',
    );
  }
  if (federation === 'kubefed') {
    fail(
      'federation',
      'KubeFed here federates StatefulSets only, and PostgreSQL runs as a CloudNativePG Cluster',
      'choose federation karmada or none',
    );
  }
  if (storage.cephfs) {
    fail(
      'storage.sharedVolume',
      'CloudNativePG creates and owns its volumes; a shared CephFS volume cannot be handed to it',
      'remove storage.sharedVolume and use accessMode ReadWriteOnce',
    );
  }
}
