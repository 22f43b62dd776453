import { classifyApply } from './classifyApply';

function object(rv: string, data: Record<string, string>, extra = {}) {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: 'settings',
      namespace: 'orders',
      resourceVersion: rv,
      managedFields: [{ manager: 'x', time: rv }],
    },
    data,
    ...extra,
  };
}

describe('classifyApply', () => {
  it('calls an object that did not exist created', () => {
    expect(classifyApply(undefined, object('1', {}), false)).toBe('created');
    expect(classifyApply(undefined, object('1', {}), true)).toBe('created');
  });

  it('trusts an unchanged resourceVersion on a real apply', () => {
    expect(
      classifyApply(object('5', { a: '1' }), object('5', { a: '1' }), false),
    ).toBe('unchanged');
  });

  it('looks at the content when the version moved, ignoring status and server metadata', () => {
    expect(
      classifyApply(
        object('5', { a: '1' }, { status: { ready: 1 } }),
        object('6', { a: '1' }, { status: { ready: 2 } }),
        false,
      ),
    ).toBe('unchanged');
    expect(
      classifyApply(object('5', { a: '1' }), object('6', { a: '2' }), false),
    ).toBe('configured');
  });

  it('decides a dry run by content alone, since the version never moves there', () => {
    expect(
      classifyApply(object('5', { a: '1' }), object('5', { a: '2' }), true),
    ).toBe('configured');
    expect(
      classifyApply(
        object('5', { b: '2', a: '1' }),
        object('5', { a: '1', b: '2' }),
        true,
      ),
    ).toBe('unchanged');
  });
});
