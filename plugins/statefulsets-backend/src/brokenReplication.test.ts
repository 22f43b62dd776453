/*
 * The topology shows a replication link the exporter reports broken, with
 * its reason: a generated MySQL whose replica's CHANGE REPLICATION SOURCE
 * names the source's cluster-local pod name, which no DNS of the replica's
 * cluster serves. The annotations still say the side is passive and
 * replicates from eu-central; the configuration decides.
 */
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  appConfigFor,
  RunningSimulator,
  startSimulator,
} from '@multicluster/cluster-simulator';
import request from 'supertest';
import { multiclusterStatefulsetsPlugin } from './plugin';
import { databaseEntity } from './__testUtils__/databaseEntity';

const TOPOLOGY =
  '/api/multicluster-statefulsets/entities/component/default/orders-db/topology';
const labels = {
  'app.kubernetes.io/managed-by': 'backstage',
  'backstage.io/kubernetes-id': 'orders-db',
};

function statefulSet(annotations: Record<string, string>, start: number) {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: {
      name: 'orders-db',
      namespace: 'databases',
      labels,
      annotations,
    },
    spec: {
      replicas: 1,
      ordinals: { start },
      serviceName: 'orders-db-headless',
      selector: { matchLabels: { app: 'orders-db' } },
      template: {
        metadata: { labels: { app: 'orders-db', ...labels } },
        spec: {
          containers: [{ name: 'mysql', image: 'mysql:8.4' }],
          volumes: [
            { name: 'join', configMap: { name: 'orders-db-replication' } },
          ],
        },
      },
    },
  };
}

/** The replication ConfigMap of one cluster: its pods replicate from `host`. */
function joinScript(channel: string, host: string) {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'orders-db-replication', namespace: 'databases', labels },
    data: {
      'join.sh': `CHANGE REPLICATION SOURCE TO SOURCE_HOST='${host}', SOURCE_PORT=3306, SOURCE_AUTO_POSITION=1 FOR CHANNEL '${channel}';\n`,
    },
  };
}

const headless = {
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'orders-db-headless', namespace: 'databases', labels },
  spec: {
    clusterIP: 'None',
    selector: { app: 'orders-db' },
    ports: [{ port: 3306 }],
  },
};

const namespace = {
  apiVersion: 'v1',
  kind: 'Namespace',
  metadata: { name: 'databases' },
};

const world = {
  clusters: [
    {
      name: 'eu-central',
      region: 'eu-central-1',
      objects: [
        namespace,
        headless,
        statefulSet({ 'multicluster-statefulsets/role': 'active' }, 0),
      ],
    },
    {
      name: 'eu-west',
      region: 'eu-west-1',
      replication: { intervalMs: 100, fixedLagSeconds: 0.5 },
      objects: [
        namespace,
        headless,
        joinScript(
          'eu-central',
          'orders-db-0.orders-db-headless.databases.svc.cluster.local',
        ),
        statefulSet(
          {
            'multicluster-statefulsets/role': 'passive',
            'multicluster-statefulsets/replication-source': 'eu-central',
          },
          10,
        ),
      ],
    },
  ],
};

const entity = databaseEntity('orders-db');

describe('a broken replication link in the topology', () => {
  let sim: RunningSimulator;

  beforeAll(async () => {
    sim = await startSimulator({
      world,
      portBase: 0,
      adminPort: 0,
      readinessDelayMs: 20,
      tickMs: 100,
      onError: () => {},
    });
  });

  afterAll(async () => {
    await sim?.stop();
  });

  it('shows the link unhealthy with the reason the exporter reports', async () => {
    const backend = await startTestBackend({
      features: [
        multiclusterStatefulsetsPlugin,
        mockServices.rootConfig.factory({
          data: appConfigFor(sim.clusters) as any,
        }),
        catalogServiceMock.factory({ entities: [entity] }),
      ],
    });
    try {
      let link: any;
      for (let i = 0; i < 40 && !link?.reason; i++) {
        await new Promise(r => setTimeout(r, 100));
        const res = await request(backend.server).get(TOPOLOGY);
        link = res.body.replication?.[0];
      }
      expect(link).toEqual(
        expect.objectContaining({
          from: 'eu-central',
          to: 'eu-west',
          workload: 'orders-db',
          lagSeconds: null,
          healthy: false,
          reason:
            "broken: IO thread not running: error connecting to source of channel 'eu-central': orders-db-0.orders-db-headless.databases.svc.cluster.local does not resolve in eu-west: no pod orders-db-0 behind a headless Service databases/orders-db-headless there (pod names under cluster.local resolve only inside their cluster)",
        }),
      );
    } finally {
      await backend.stop();
    }
  });
});
