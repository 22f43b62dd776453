/*
 * Where the package's own files (CRDs) live, found
 * through module resolution so it holds from source and when installed.
 */
import path from 'node:path';

/** The folder holding this package's package.json. */
export function packageRoot(): string {
  return path.dirname(
    require.resolve('@multicluster/cluster-simulator/package.json'),
  );
}
