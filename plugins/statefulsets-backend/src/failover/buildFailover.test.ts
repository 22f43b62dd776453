import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import express from 'express';
import request from 'supertest';
import { readClusterConfig } from '../cluster/readClusterConfig';
import {
  buildFailover,
  logWriteCredentials,
  readFailoverOptions,
} from './buildFailover';

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

describe('buildFailover', () => {
  it('reads its tunables with defaults', () => {
    const config = mockServices.rootConfig({
      data: {
        multiclusterStatefulsets: {
          requestTimeoutMs: 1234,
          failover: { catchUpTimeoutMs: 9000 },
        },
      },
    });
    expect(readFailoverOptions(config)).toEqual({
      writeTimeoutMs: 1234,
      catchUpTimeoutMs: 9000,
      leaseMs: 10_000,
      healthIntervalMs: 500,
      healthProbeTimeoutMs: 3000,
    });
  });

  it('says per cluster at start-up whether writes have credentials of their own', () => {
    const config = mockServices.rootConfig({
      data: {
        kubernetes: {
          clusterLocatorMethods: [
            {
              type: 'config',
              clusters: ['a', 'b'].map(name => ({
                name,
                url: `https://${name}.example`,
                serviceAccountToken: 'read-token',
              })),
            },
          ],
        },
        multiclusterStatefulsets: {
          writes: { impersonation: { enabled: true } },
          clusters: { a: { write: { serviceAccountToken: 'write-token' } } },
        },
      },
    });
    const logger = mockServices.logger.mock();
    logWriteCredentials(readClusterConfig(config), config, logger);
    expect(logger.info.mock.calls.map(c => c[0])).toEqual([
      'Writes to a use separate credentials (multiclusterStatefulsets.clusters.a.write) and impersonate the user they act for',
      "Writes to b use the kubernetes: entry's credentials, which the Kubernetes plugin's proxy shares (give writes their own under multiclusterStatefulsets.clusters.b.write), and impersonate the user they act for",
    ]);
  });

  it('assembles an engine, a migrated journal and the routes', async () => {
    const knex = await databases.init('SQLITE_3');
    const feature = await buildFailover({
      config: mockServices.rootConfig({
        data: {
          kubernetes: {
            clusterLocatorMethods: [
              {
                type: 'config',
                clusters: [
                  {
                    name: 'a',
                    url: 'http://127.0.0.1:1',
                    authProvider: 'serviceAccount',
                    serviceAccountToken: 't',
                  },
                ],
              },
            ],
          },
        },
      }),
      database: mockServices.database({ knex }),
      logger: mockServices.logger.mock(),
      auditor: mockServices.auditor.mock(),
      httpAuth: mockServices.httpAuth(),
      permissions: mockServices.permissions(),
      topology: {
        getTopology: async () => {
          throw new Error('not used');
        },
      },
    });
    expect(await feature.engine.resumeInterrupted()).toEqual([]);
    const res = await request(express().use(feature.router)).get(
      '/entities/component/default/orders/failover/runs',
    );
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ items: [] });
  });
});
