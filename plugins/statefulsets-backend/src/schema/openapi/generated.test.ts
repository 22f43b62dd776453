import { readFileSync } from 'node:fs';
import { relative } from 'node:path';

// The generator is a plain Node script so it runs without a build step.
const { generate } = require('../../../scripts/generate-openapi.js');

describe('generated REST contract', () => {
  const files = Object.entries(generate() as Record<string, string>).map(
    ([path, text]) => [relative(process.cwd(), path), path, text],
  );

  it.each(files)(
    '%s matches openapi.yaml (run scripts/generate-openapi.js after editing the spec)',
    (_name, path, text) => {
      expect(readFileSync(path, 'utf8')).toBe(text);
    },
  );
});
