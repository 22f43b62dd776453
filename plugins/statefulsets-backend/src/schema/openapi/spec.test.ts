import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { spec } from './generated/router';

describe('generated router', () => {
  it('holds exactly the spec in openapi.yaml (regenerate after editing it)', () => {
    const yaml = parse(
      readFileSync(join(__dirname, '..', 'openapi.yaml'), 'utf8'),
    );
    expect(spec).toEqual(yaml);
  });
});
