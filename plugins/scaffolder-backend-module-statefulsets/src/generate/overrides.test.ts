import { diffObjects } from './overrides';

describe('diffObjects', () => {
  it('returns nothing for equal objects', () => {
    expect(diffObjects({ a: { b: [1, 2] } }, { a: { b: [1, 2] } })).toEqual([]);
  });

  it('adds, removes and replaces with escaped JSON pointers', () => {
    const base = {
      metadata: { annotations: { 'x/role': 'active', keep: '1' } },
      spec: { replicas: 3, ordinals: { start: 0 } },
    };
    const other = {
      metadata: { annotations: { 'x/role': 'passive', 'x/source': 'eu' } },
      spec: { replicas: 2, ordinals: { start: 3 } },
    };
    expect(diffObjects(base, other)).toEqual([
      {
        op: 'replace',
        path: '/metadata/annotations/x~1role',
        value: 'passive',
      },
      { op: 'add', path: '/metadata/annotations/x~1source', value: 'eu' },
      { op: 'remove', path: '/metadata/annotations/keep' },
      { op: 'replace', path: '/spec/replicas', value: 2 },
      { op: 'replace', path: '/spec/ordinals/start', value: 3 },
    ]);
  });

  it('replaces arrays whole', () => {
    expect(diffObjects({ a: [1, 2] }, { a: [1, 3] })).toEqual([
      { op: 'replace', path: '/a', value: [1, 3] },
    ]);
  });
});
