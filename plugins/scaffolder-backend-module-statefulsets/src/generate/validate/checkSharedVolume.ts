/*
 * The rules of a shared CephFS volume. Every cluster mounts the same file
 * system and pod <name>-<i> keeps its data in directory <name>-<i> in
 * whichever cluster it runs, so a promoted cluster's pods find what their
 * counterparts wrote. That holds only if one side writes at a time, every
 * member has its counterpart, and the CSI driver finds the platform's
 * node-stage Secret.
 */
import { CephFsSource, GenerateRequest } from '../types';
import { fail } from './fail';

// Engines whose own cross-cluster replication keeps a server running on
// every side: on one shared directory two servers would write at once.
const SELF_REPLICATING = ['mysql', 'mongodb', 'kafka', 'elasticsearch'];

/** Checks that a shared volume can carry the data across a failover. */
export function checkSharedVolume(
  request: GenerateRequest,
  cephfs: CephFsSource,
): void {
  if (SELF_REPLICATING.includes(request.engine)) {
    fail(
      'storage.accessMode',
      `${request.engine} replicates its data across clusters itself, so its servers run on every side at once and would write the same shared directories`,
      'use accessMode ReadWriteOnce (a volume per pod); a shared volume is for the generic engine, whose data only the shared file system carries across clusters',
    );
  }
  if (request.strategy === 'active-active') {
    fail(
      'strategy',
      'on a shared volume each pod writes the directory its counterparts in the other clusters take over, so two active sides would write it at once',
      'choose active-passive (the failover scales the old side to zero before the new one takes writes), or accessMode ReadWriteOnce',
    );
  }
  const replicas = request.clusters[0].replicas;
  const differing = request.clusters.findIndex(c => c.replicas !== replicas);
  if (differing >= 0) {
    fail(
      `clusters[${differing}].replicas`,
      `on a shared volume every pod's directory must have a counterpart in every cluster, but ${request.clusters[differing].name} runs ${request.clusters[differing].replicas} pods and ${request.clusters[0].name} ${replicas}`,
      `run ${replicas} replicas in every cluster`,
    );
  }
  const secretNamespace = cephfs.secretRef.namespace;
  if (secretNamespace && secretNamespace !== request.namespace) {
    fail(
      'storage.sharedVolume.cephfs.secretRef.namespace',
      `the node-stage Secret is looked up in ${secretNamespace}, but a database's volume may only use Secrets of its own namespace ${request.namespace}`,
      `have the platform create Secret ${cephfs.secretRef.name} (keys userID and userKey of the CephFS user) in ${request.namespace} in every cluster, and leave secretRef.namespace empty`,
    );
  }
}
