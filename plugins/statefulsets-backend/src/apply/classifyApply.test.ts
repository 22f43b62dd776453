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

  it('with the applied body, looks only at the fields it sets', () => {
    const applied = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'settings', annotations: { mine: 'x' } },
      data: { a: '1' },
    };
    const live = (rv: string, a: string, lagAt: string) => ({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: 'settings',
        resourceVersion: rv,
        annotations: { mine: 'x', lag: lagAt },
      },
      data: { a },
    });
    // A controller's own annotation moved between the read and the apply.
    expect(
      classifyApply(live('5', '1', 't1'), live('6', '1', 't2'), false, applied),
    ).toBe('unchanged');
    expect(
      classifyApply(live('5', '1', 't1'), live('6', '2', 't1'), false, applied),
    ).toBe('configured');
    // Without the body, every field counts.
    expect(
      classifyApply(live('5', '1', 't1'), live('6', '1', 't2'), false),
    ).toBe('configured');
  });
});
