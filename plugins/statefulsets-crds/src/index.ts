/*
 * The CustomResourceDefinitions the plugins speak (Istio, Karmada, KubeFed,
 * MCS, CloudNativePG), kept once as YAML in this package's `crds/` folder: the
 * scaffolder module validates generated manifests against them and the
 * cluster simulator serves them.
 */
import fs from 'node:fs';
import path from 'node:path';

/** The folder holding the CRD YAML files, from sources and installed copies alike. */
export function crdDirectory(): string {
  return path.join(
    path.dirname(
      require.resolve(
        '@multicluster/backstage-plugin-statefulsets-crds/package.json',
      ),
    ),
    'crds',
  );
}

/** The paths of every CRD file, sorted by name. */
export function crdFiles(): string[] {
  const dir = crdDirectory();
  return fs
    .readdirSync(dir)
    .filter(file => /\.ya?ml$/.test(file))
    .sort()
    .map(file => path.join(dir, file));
}
