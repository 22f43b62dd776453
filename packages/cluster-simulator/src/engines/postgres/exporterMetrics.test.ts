/*
 * postgres_exporter's series from the emulator's state: a fresh world's
 * roles from the configuration, a promotion through exec shown without
 * exec, and the operators' PostgreSQL pods left out.
 */
import { ClusterStore } from '../../store/ClusterStore';
import { runCommand } from '../programs';
import { renderPostgresExporterMetrics } from './exporterMetrics';

const NS = 'databases';

function pod(store: ClusterStore, name: string, image: string, index: number) {
  store.create({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: NS,
      uid: name,
      labels: { 'apps.kubernetes.io/pod-index': String(index) },
      ownerReferences: [
        { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'db', uid: 'db' },
      ],
    },
    spec: { containers: [{ name: 'postgres', image }] },
    status: { phase: 'Running' },
  });
}

describe('renderPostgresExporterMetrics', () => {
  it('publishes pg_replication_is_replica from the state, a promotion included', async () => {
    const store = new ClusterStore({ name: 'us-east', region: 'r', zones: [] });
    store.create({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: NS },
    });
    store.create({
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'db', namespace: NS },
      spec: {
        replicas: 2,
        serviceName: 'db',
        selector: { matchLabels: {} },
        template: { spec: { containers: [] } },
      },
    });
    pod(store, 'db-0', 'postgres:17', 0);
    pod(store, 'db-1', 'postgres:17', 1);
    pod(store, 'cnpg-1', 'ghcr.io/cloudnative-pg/postgresql:17', 1);
    const text = () => renderPostgresExporterMetrics('us-east', store, 1000);
    const series = (p: string) =>
      new RegExp(
        `^pg_replication_is_replica\\{namespace="databases",statefulset="db",pod="${p}",cluster="us-east"\\} (\\d)$`,
        'm',
      ).exec(text())?.[1];
    expect(series('db-0')).toBe('0');
    expect(series('db-1')).toBe('1');
    expect(text()).not.toContain('cnpg-1');
    const before = text();
    expect(renderPostgresExporterMetrics('us-east', store, 1000)).toBe(before);
    const target = {
      store,
      pod: store.peek('', 'Pod', NS, 'db-1')!,
      container: { name: 'postgres', image: 'postgres:17' },
      now: () => 2000,
    };
    const io = { stdout: () => {}, stderr: () => {}, stdin: async () => '' };
    expect(
      await runCommand(['psql', '-c', 'SELECT pg_promote()'], target, io),
    ).toBe(0);
    expect(series('db-1')).toBe('0');
    expect(await runCommand(['pg_ctl', '-D', '/d', 'stop'], target, io)).toBe(
      0,
    );
    expect(text()).toMatch(
      /^pg_up\{namespace="databases",statefulset="db",pod="db-1",cluster="us-east"\} 0$/m,
    );
    expect(series('db-1')).toBeUndefined();
  });
});
