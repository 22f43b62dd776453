/*
 * The Software Template's golden cases, read from the scaffolder module's
 * fixtures (that module's golden test keeps them equal to the generator's
 * output): each case's Kubernetes objects with the file each is in.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { KubeObject } from '../controllers/types';

/** The folder holding one sub-folder per golden case. */
export const GOLDEN_DIR = path.resolve(
  __dirname,
  '../../../../plugins/scaffolder-backend-module-statefulsets/src/generate/__fixtures__/golden',
);

/** The golden case ids, sorted. */
export function goldenCases(): string[] {
  return fs.existsSync(GOLDEN_DIR)
    ? fs
        .readdirSync(GOLDEN_DIR)
        .filter(d => !d.startsWith('.'))
        .sort()
    : [];
}

function yamlFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap(e => {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) return yamlFiles(p);
      return e.name.endsWith('.yaml') ? [p] : [];
    })
    .sort();
}

/** One object of a golden case and the file (relative to the case) it is in. */
export interface GoldenObject {
  file: string;
  obj: KubeObject;
}

/** The objects (apiVersion and kind) of one golden case, with the file each is in. */
export function goldenObjects(id: string): GoldenObject[] {
  const caseDir = path.join(GOLDEN_DIR, id);
  return yamlFiles(caseDir).flatMap(f =>
    parseAllDocuments(fs.readFileSync(f, 'utf8'))
      .map(d => d.toJS())
      .filter(o => o?.apiVersion && o?.kind)
      .map(obj => ({ file: path.relative(caseDir, f), obj })),
  );
}
