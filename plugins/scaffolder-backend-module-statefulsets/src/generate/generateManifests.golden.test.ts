import fs from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import { demoClusters } from '../__fixtures__/clusters';
import { goldenCases } from './__fixtures__/cases';
import { generateManifests } from './generateManifests';
import { validateObject } from './validateManifests';

// UPDATE_GOLDEN=1 rewrites the expected files from the current generator;
// review the diff before keeping it.
const UPDATE = process.env.UPDATE_GOLDEN === '1';
const GOLDEN_DIR = path.join(__dirname, '__fixtures__', 'golden');

function listFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap(e =>
      e.isDirectory()
        ? listFiles(path.join(dir, e.name)).map(f => `${e.name}/${f}`)
        : [e.name],
    )
    .sort();
}

describe('generateManifests golden files', () => {
  it('covers every valid pair of engine, strategy, federation and routing', () => {
    const dims = {
      engine: [
        'mysql',
        'postgresql',
        'mongodb',
        'kafka',
        'elasticsearch',
        'generic',
      ],
      strategy: ['active-passive', 'active-active'],
      federation: ['none', 'kubefed', 'karmada'],
      routing: ['istio', 'mcs', 'none'],
    } as const;
    // PostgreSQL (CloudNativePG) is never active-active nor KubeFed-federated;
    // routing none carries no replication across clusters.
    const invalid = new Set([
      'engine=postgresql|strategy=active-active',
      'engine=postgresql|federation=kubefed',
      ...dims.engine
        .filter(e => e !== 'generic')
        .map(e => `engine=${e}|routing=none`),
    ]);
    const keys = Object.keys(dims) as Array<keyof typeof dims>;
    const missing: string[] = [];
    keys.forEach((a, i) =>
      keys.slice(i + 1).forEach(b => {
        for (const va of dims[a]) {
          for (const vb of dims[b]) {
            const pair = `${a}=${va}|${b}=${vb}`;
            const covered = goldenCases.some(
              c => (c.request as any)[a] === va && (c.request as any)[b] === vb,
            );
            if (!covered && !invalid.has(pair)) missing.push(pair);
          }
        }
      }),
    );
    expect(missing).toEqual([]);
  });

  it.each(goldenCases.map(c => [c.id, c] as const))(
    '%s matches its golden files and validates',
    (id, c) => {
      const result = generateManifests(c.request, demoClusters);
      for (const { path: file, object } of result.objects) {
        expect({ file, problems: validateObject(object) }).toEqual({
          file,
          problems: [],
        });
      }
      const actual = new Map(result.files.map(f => [f.path, f.content]));
      actual.set(
        'apply-plan.yaml',
        stringify(
          { targets: result.targets, warnings: result.warnings },
          { lineWidth: 0, singleQuote: true },
        ),
      );
      const dir = path.join(GOLDEN_DIR, id);
      if (UPDATE) {
        fs.rmSync(dir, { recursive: true, force: true });
        for (const [file, content] of actual) {
          fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
          fs.writeFileSync(path.join(dir, file), content);
        }
      }
      expect(listFiles(dir)).toEqual([...actual.keys()].sort());
      for (const [file, content] of actual) {
        expect({ file, content }).toEqual({
          file,
          content: fs.readFileSync(path.join(dir, file), 'utf8'),
        });
      }
    },
  );
});
