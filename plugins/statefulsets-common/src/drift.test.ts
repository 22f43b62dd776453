import { statefulSet } from './__fixtures__/objects';
import { computeDrift } from './drift';

describe('computeDrift', () => {
  it('lists every differing field with values side by side', () => {
    const drift = computeDrift({
      a: [statefulSet({ cluster: 'a', image: 'mysql:8.4.2', storage: '10Gi' })],
      b: [
        statefulSet({
          cluster: 'b',
          image: 'mysql:8.4.3',
          storage: '20Gi',
          replicas: 3,
        }),
      ],
      c: [statefulSet({ cluster: 'c', image: 'mysql:8.4.2', storage: '10Gi' })],
    });
    expect(drift.map(d => d.field)).toEqual([
      'image[mysql]',
      'replicas',
      'storage.size[data]',
    ]);
    expect(drift[0]).toEqual({
      workload: 'orders-db',
      field: 'image[mysql]',
      values: { a: 'mysql:8.4.2', b: 'mysql:8.4.3', c: 'mysql:8.4.2' },
    });
  });

  it('finds no drift between identical clusters or a lone cluster', () => {
    expect(
      computeDrift({
        a: [statefulSet({ cluster: 'a' })],
        b: [statefulSet({ cluster: 'b' })],
      }),
    ).toEqual([]);
    expect(
      computeDrift({ a: [statefulSet({ cluster: 'a', image: 'x' })] }),
    ).toEqual([]);
  });

  it('shows a field missing on one side as null, one variable at a time', () => {
    const withEnv = statefulSet({ cluster: 'a' });
    withEnv.spec.template.spec.containers[0].env = [
      { name: 'MODE', value: 'x' },
      { name: 'SAME', value: 'y' },
    ];
    const alsoEnv = statefulSet({ cluster: 'b' });
    alsoEnv.spec.template.spec.containers[0].env = [
      { name: 'SAME', value: 'y' },
    ];
    const drift = computeDrift({ a: [withEnv], b: [alsoEnv] });
    expect(drift).toEqual([
      {
        workload: 'orders-db',
        field: 'config.env[mysql].MODE',
        values: { a: 'x', b: null },
      },
    ]);
  });
});
