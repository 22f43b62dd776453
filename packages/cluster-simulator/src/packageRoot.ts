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

/**
 * The simulator's own CRDs for the databases' operators (Strimzi, ECK,
 * Percona, Zalando, MongoDB Community, the MySQL Operator): names, versions,
 * scope and status subresource as upstream serves them, with the schema
 * kept open (`x-kubernetes-preserve-unknown-fields`). The upstream schemas
 * are not shipped; tests validate the demo world's operator resources
 * against them.
 */
export function operatorCrdDirectory(): string {
  return path.join(packageRoot(), 'crds', 'operators');
}
