import { ClusterStore } from '../../store/ClusterStore';
import type { KubeObject } from '../../controllers/types';
import { mysqlClient } from './client';
import { storeHost } from './emulator';
import { renderMysqlFlagMetrics } from './exporterMetrics';

function pod(name: string, ordinal: number, image = 'mysql:8.4'): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'db',
      labels: { 'apps.kubernetes.io/pod-index': String(ordinal) },
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: 'StatefulSet',
          name: 'orders',
          uid: 'u',
        },
      ],
    },
    spec: { containers: [{ name: 'db', image }] },
    status: { phase: 'Running' },
  };
}

function world() {
  const store = new ClusterStore({ name: 'eu-west', region: 'r', zones: [] });
  store.create({
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: 'db' },
  });
  store.create({
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'orders', namespace: 'db' },
    spec: { serviceName: 'orders' },
  });
  store.create(pod('orders-0', 0));
  store.create(pod('orders-1', 1));
  store.create({
    ...pod('cache-0', 0, 'redis:7'),
    metadata: { name: 'cache-0', namespace: 'db' },
  });
  return store;
}

async function exec(store: ClusterStore, name: string, sql: string) {
  const target = store.peek('', 'Pod', 'db', name)!;
  const code = await mysqlClient(
    ['-N', '-e', sql],
    { stdout: () => {}, stderr: () => {}, stdin: async () => '' },
    storeHost(store, target, () => 1_000_000),
  );
  expect(code).toBe(0);
}

const series = (name: string, podName: string, value: number) =>
  `${name}{namespace="db",statefulset="orders",pod="${podName}",cluster="eu-west"} ${value}`;

describe('the exporter’s MySQL read-only series', () => {
  it('publishes each MySQL pod’s flags, from the state it would start with', () => {
    const store = world();
    const text = renderMysqlFlagMetrics('eu-west', store);
    expect(text).toContain(
      '# TYPE mysql_global_variables_super_read_only gauge',
    );
    expect(text).toContain(
      series('mysql_global_variables_super_read_only', 'orders-0', 0),
    );
    expect(text).toContain(
      series('mysql_global_variables_read_only', 'orders-0', 0),
    );
    expect(text).toContain(
      series('mysql_global_variables_super_read_only', 'orders-1', 1),
    );
    expect(text).not.toContain('cache-0');
  });

  it('follows the flags set through exec, without writing any state', async () => {
    const store = world();
    await exec(store, 'orders-0', 'SET GLOBAL super_read_only=ON');
    await exec(store, 'orders-1', 'SET GLOBAL super_read_only=OFF');
    await exec(store, 'orders-1', 'SET GLOBAL read_only=OFF');
    const before = JSON.stringify([...store.peekAll('', 'Pod')]);
    const text = renderMysqlFlagMetrics('eu-west', store);
    expect(text).toContain(
      series('mysql_global_variables_super_read_only', 'orders-0', 1),
    );
    expect(text).toContain(
      series('mysql_global_variables_read_only', 'orders-0', 1),
    );
    expect(text).toContain(
      series('mysql_global_variables_super_read_only', 'orders-1', 0),
    );
    expect(text).toContain(
      series('mysql_global_variables_read_only', 'orders-1', 0),
    );
    expect(JSON.stringify([...store.peekAll('', 'Pod')])).toBe(before);
  });

  it('leaves out pods that are not running', () => {
    const store = world();
    const down = store.peek('', 'Pod', 'db', 'orders-1')!;
    store.updateStatus({ ...down, status: { phase: 'Pending' } });
    expect(renderMysqlFlagMetrics('eu-west', store)).not.toContain('orders-1');
  });
});
