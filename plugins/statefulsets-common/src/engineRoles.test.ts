import { applyEngineRoles, EngineRoleReading } from './engineRoles';
import { ClusterRole, TopologyWorkload } from './types';

function workload(role: ClusterRole, roleSource?: 'chart-component-label') {
  return {
    kind: 'StatefulSet',
    apiVersion: 'apps/v1',
    name: 'orders',
    namespace: 'db',
    role,
    ...(roleSource ? { roleSource } : {}),
    replicas: { desired: 2, ready: 2, updated: 2 },
    ordinalsStart: 10,
    pods: [10, 11].map(ordinal => ({
      name: `orders-${ordinal}`,
      ordinal,
      phase: 'Running',
      ready: true,
      restarts: 0,
      role: 'unknown' as const,
    })),
    volumes: [],
  } as TopologyWorkload;
}

function reading(
  first: 'primary' | 'replica',
  cluster = 'eu-west',
): EngineRoleReading {
  return {
    cluster,
    namespace: 'db',
    workload: 'orders',
    source: 'mysqld-exporter',
    pods: { 'orders-10': first, 'orders-11': 'replica' },
  };
}

describe('roles reported by the engine', () => {
  it('make the side active when its first pod is the primary, with the pod roles', () => {
    const [w] = applyEngineRoles(
      'eu-west',
      [workload('active')],
      [reading('primary')],
    );
    expect(w.role).toBe('active');
    expect(w.roleSource).toBe('mysqld-exporter');
    expect(w.declaredRole).toBeUndefined();
    expect(w.pods.map(p => p.role)).toEqual(['primary', 'replica']);
  });

  it('win over a declared role that disagrees, which is kept beside them', () => {
    const [w] = applyEngineRoles(
      'eu-west',
      [workload('active', 'chart-component-label')],
      [reading('replica')],
    );
    expect(w.role).toBe('passive');
    expect(w.roleSource).toBe('mysqld-exporter');
    expect(w.declaredRole).toBe('active');
  });

  it('leave the declared role where the engine reports nothing for the side', () => {
    const declared = workload('passive', 'chart-component-label');
    expect(
      applyEngineRoles(
        'eu-west',
        [declared],
        [reading('primary', 'eu-central')],
      ),
    ).toEqual([declared]);
    const noFirstPod = {
      ...reading('primary'),
      pods: { 'orders-11': 'replica' as const },
    };
    const [w] = applyEngineRoles('eu-west', [declared], [noFirstPod]);
    expect(w.role).toBe('passive');
    expect(w.roleSource).toBe('chart-component-label');
  });

  it('keep a fenced side fenced', () => {
    const [w] = applyEngineRoles(
      'eu-west',
      [workload('fenced')],
      [reading('replica')],
    );
    expect(w.role).toBe('fenced');
  });
});
