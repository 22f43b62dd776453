import { FailoverSide } from '../failover';
import { mcsConninfo, postgresPodOf, standbyTargetsOf } from './postgresPod';

const side = {
  cluster: 'eu-west',
  workload: {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    namespace: 'databases',
    name: 'orders-db',
  },
} as FailoverSide;

describe('postgresPodOf', () => {
  it('finds the PostgreSQL container, its port, the first ordinal and the governing Service', () => {
    const pod = postgresPodOf(side, {
      metadata: { name: 'orders-db' },
      spec: {
        serviceName: 'orders-db-hl',
        ordinals: { start: 1 },
        template: {
          spec: {
            containers: [
              { name: 'metrics', image: 'prom/postgres-exporter:v0.15' },
              {
                name: 'db',
                image: 'docker.io/library/postgres:17',
                ports: [{ name: 'postgresql', containerPort: 5433 }],
              },
            ],
          },
        },
      },
    });
    expect(pod).toEqual({
      target: { namespace: 'databases', pod: 'orders-db-1', container: 'db' },
      port: 5433,
      serviceName: 'orders-db-hl',
    });
    expect(mcsConninfo(side, pod)).toBe(
      'host=orders-db-1.eu-west.orders-db-hl.databases.svc.clusterset.local port=5433 user=postgres dbname=postgres',
    );
  });

  it('defaults to pod 0, the pod default container, port 5432 and a Service named after the StatefulSet', () => {
    expect(postgresPodOf(side, { metadata: { name: 'orders-db' } })).toEqual({
      target: { namespace: 'databases', pod: 'orders-db-0' },
      port: 5432,
      serviceName: 'orders-db',
    });
  });

  it('lists the other pods of the StatefulSet, in the first pod’s container', () => {
    const sts = {
      metadata: { name: 'orders-db' },
      spec: {
        replicas: 3,
        ordinals: { start: 10 },
        template: {
          spec: { containers: [{ name: 'postgres', image: 'postgres:17' }] },
        },
      },
    };
    expect(standbyTargetsOf(sts, postgresPodOf(side, sts))).toEqual([
      { namespace: 'databases', pod: 'orders-db-11', container: 'postgres' },
      { namespace: 'databases', pod: 'orders-db-12', container: 'postgres' },
    ]);
    expect(
      standbyTargetsOf(
        { metadata: { name: 'orders-db' } },
        postgresPodOf(side, { metadata: { name: 'orders-db' } }),
      ),
    ).toEqual([]);
  });
});
