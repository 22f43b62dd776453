/*
 * The plugin's metrics as an operator sees them: the real Backstage metrics
 * service over an OpenTelemetry meter provider with a Prometheus exporter,
 * scraped over HTTP after the plugin served topologies from the cluster
 * simulator (one cluster up, one down).
 */
import http from 'node:http';
import { AddressInfo } from 'node:net';
import { metrics } from '@opentelemetry/api';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { metricsServiceFactory } from '@backstage/backend-defaults/alpha';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  appConfigFor,
  RunningSimulator,
  startSimulator,
} from '@multicluster/cluster-simulator';
import request from 'supertest';
import { multiclusterStatefulsetsPlugin } from '../plugin';

const TOPOLOGY =
  '/api/multicluster-statefulsets/entities/component/default/orders-db/topology';

const statefulSet = {
  apiVersion: 'apps/v1',
  kind: 'StatefulSet',
  metadata: {
    name: 'orders-db',
    namespace: 'databases',
    labels: { 'backstage.io/kubernetes-id': 'orders-db' },
  },
  spec: {
    replicas: 1,
    serviceName: 'orders-db',
    selector: { matchLabels: { app: 'orders-db' } },
    template: {
      metadata: { labels: { app: 'orders-db' } },
      spec: { containers: [{ name: 'mysql', image: 'mysql:8.4' }] },
    },
  },
};
const namespace = {
  apiVersion: 'v1',
  kind: 'Namespace',
  metadata: { name: 'databases' },
};

const entity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'orders-db',
    namespace: 'default',
    annotations: { 'backstage.io/kubernetes-id': 'orders-db' },
  },
  spec: { type: 'database', owner: 'group:default/dbas', lifecycle: 'x' },
};

describe('metrics', () => {
  let sim: RunningSimulator;
  let exporter: PrometheusExporter;
  let scrape: http.Server;

  beforeAll(async () => {
    exporter = new PrometheusExporter({ preventServerStart: true });
    metrics.setGlobalMeterProvider(new MeterProvider({ readers: [exporter] }));
    scrape = http.createServer((req, res) =>
      exporter.getMetricsRequestHandler(req, res),
    );
    await new Promise<void>(resolve => scrape.listen(0, resolve));
    sim = await startSimulator({
      world: {
        clusters: [
          {
            name: 'eu-central',
            region: 'eu-central-1',
            objects: [namespace, statefulSet],
          },
          { name: 'down', region: 'eu-west-1', objects: [namespace] },
        ],
      },
      portBase: 0,
      adminPort: 0,
      readinessDelayMs: 20,
      tickMs: 100,
      onError: () => {},
    });
    await sim.admin.setFaults('down', { down: true });
  });

  afterAll(async () => {
    await sim?.stop();
    await new Promise(resolve => scrape?.close(resolve));
    metrics.disable();
  });

  it('exports cluster state, topology timings, cache use and read errors', async () => {
    const config = appConfigFor(sim.clusters) as any;
    config.multiclusterStatefulsets.requestTimeoutMs = 1500;
    const backend = await startTestBackend({
      features: [
        multiclusterStatefulsetsPlugin,
        metricsServiceFactory,
        mockServices.rootConfig.factory({ data: config }),
        catalogServiceMock.factory({ entities: [entity] }),
      ],
    });
    try {
      expect((await request(backend.server).get(TOPOLOGY)).status).toBe(200);
      expect((await request(backend.server).get(TOPOLOGY)).status).toBe(200);

      const port = (scrape.address() as AddressInfo).port;
      let text = '';
      const sample = (name: string, labels: string) =>
        text.split('\n').find(l => l.startsWith(name) && l.includes(labels));
      // The informers of the first read finish syncing in the background.
      for (let i = 0; i < 50; i++) {
        text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
        const up = sample(
          'multicluster_statefulsets_cluster_up',
          'cluster="eu-central"',
        );
        if (up?.endsWith(' 1')) break;
        await new Promise(resolve => setTimeout(resolve, 100));
      }

      expect(
        sample('multicluster_statefulsets_cluster_up', 'cluster="eu-central"'),
      ).toMatch(/ 1$/);
      expect(
        sample('multicluster_statefulsets_cluster_up', 'cluster="down"'),
      ).toMatch(/reason="unreachable".* 0$/);
      expect(
        sample('multicluster_statefulsets_informers', 'cluster="eu-central"'),
      ).toMatch(/ [1-9]\d*$/);
      expect(
        sample(
          'multicluster_statefulsets_cluster_read_errors',
          'cluster="down"',
        ),
      ).toMatch(/reason="unreachable".* [1-9]\d*$/);
      expect(
        sample('multicluster_statefulsets_topology_compute_duration', '_count'),
      ).toMatch(/ [1-9]\d*$/);
      expect(
        sample('multicluster_statefulsets_topology_cache', 'result="hit"'),
      ).toMatch(/ 1$/);
      expect(
        sample('multicluster_statefulsets_topology_cache', 'result="miss"'),
      ).toMatch(/ 1$/);
      // No credentials in any label.
      for (const c of sim.clusters) expect(text).not.toContain(c.token);
    } finally {
      await backend.stop();
    }
  });
});
