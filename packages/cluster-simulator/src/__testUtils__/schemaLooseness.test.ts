import { compare } from './schemaLooseness';

const upstream = {
  type: 'object',
  required: ['mode'],
  properties: {
    mode: { type: 'string', enum: ['a', 'b'] },
    port: {
      type: 'integer',
      maximum: 65535,
      'x-kubernetes-validations': [{ rule: 'self > 0' }],
    },
    pool: { type: 'object', properties: { size: { type: 'integer' } } },
    extra: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
  },
};

describe('compare', () => {
  it('finds nothing where ours equals or narrows upstream', () => {
    expect(compare(upstream, upstream, 'v1')).toEqual([]);
    const narrower = {
      type: 'object',
      required: ['mode', 'port'],
      properties: {
        mode: { type: 'string', enum: ['a'] },
        extra: { type: 'object', properties: { x: { type: 'string' } } },
      },
    };
    expect(compare(narrower, upstream, 'v1')).toEqual([]);
  });

  it('names each way ours is looser', () => {
    const looser = {
      type: 'object',
      properties: {
        mode: { type: 'string' },
        port: { type: 'integer', maximum: 70000 },
        pool: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
        lag: { type: 'number' },
      },
    };
    expect(compare(looser, upstream, 'v1')).toEqual([
      { path: 'v1', problem: 'does not require mode' },
      { path: 'v1.mode', problem: 'enum ["a","b"] missing' },
      { path: 'v1.port', problem: 'maximum 65535 upstream, 70000 here' },
      { path: 'v1.port', problem: 'CEL rule missing: self > 0' },
      { path: 'v1.pool', problem: 'free-form where upstream is typed' },
      { path: 'v1.lag', problem: 'upstream has no such field' },
    ]);
  });
});
