/*
 * The storage rules: a valid size, and a shared CephFS source exactly when
 * the volume is ReadWriteMany (its own rules in checkSharedVolume.ts).
 */
import { GenerateRequest } from '../types';
import { NormalizedRequest } from '../validateRequest';
import { fail } from './fail';
import { checkSharedVolume } from './checkSharedVolume';

const QUANTITY = /^[0-9]+(\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$/;

/** Checks the storage settings and fills in the access mode. */
export function checkStorage(
  request: GenerateRequest,
): NormalizedRequest['storage'] {
  const storage = request.storage;
  if (!storage || !QUANTITY.test(String(storage.size ?? ''))) {
    fail(
      'storage.size',
      `"${storage?.size ?? ''}" is not a Kubernetes quantity`,
      'use a size such as "20Gi"',
    );
  }
  const accessMode = storage.accessMode ?? 'ReadWriteOnce';
  const cephfs = storage.sharedVolume?.cephfs;
  if (accessMode === 'ReadWriteMany') {
    const missing = (['fsName', 'path', 'clusterID'] as const).filter(
      k => !cephfs?.[k],
    );
    if (!cephfs || missing.length > 0 || !cephfs.secretRef?.name) {
      fail(
        'storage.sharedVolume.cephfs',
        `ReadWriteMany needs a shared volume source, but ${
          cephfs
            ? `cephfs lacks ${[
                ...missing,
                ...(cephfs.secretRef?.name ? [] : ['secretRef.name']),
              ].join(', ')}`
            : 'none is given'
        }`,
        'set storage.sharedVolume.cephfs {fsName, path, clusterID, secretRef.name}, where secretRef.name is the Secret with the CephFS user (keys userID and userKey) the platform creates in the database namespace of every cluster, or use accessMode ReadWriteOnce',
      );
    }
    checkSharedVolume(request, cephfs);
  } else if (cephfs) {
    fail(
      'storage.accessMode',
      'a shared CephFS volume is mounted ReadWriteMany, but accessMode is ReadWriteOnce',
      'set accessMode ReadWriteMany or remove storage.sharedVolume',
    );
  }
  if (cephfs && cephfs.path && !cephfs.path.startsWith('/')) {
    fail(
      'storage.sharedVolume.cephfs.path',
      `"${cephfs.path}" is not absolute`,
      'give the path inside the CephFS file system, e.g. "/volumes/orders"',
    );
  }
  return {
    size: storage.size,
    storageClass: storage.storageClass || undefined,
    accessMode,
    cephfs: accessMode === 'ReadWriteMany' ? cephfs : undefined,
  };
}
