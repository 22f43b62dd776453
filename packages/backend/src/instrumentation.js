/*
 * OpenTelemetry metrics for the backend, loaded before it with
 * `node --require ./packages/backend/src/instrumentation.js packages/backend …`
 * (the Dockerfile and scripts/portal.sh do). Every plugin's metrics service —
 * this product's included — reports through the global meter provider set
 * here, and Prometheus scrapes them at http://<host>:9464/metrics
 * (`METRICS_PORT` changes the port; `METRICS_PORT=0` turns the endpoint off).
 */
const { isMainThread } = require('node:worker_threads');
const { metrics } = require('@opentelemetry/api');
const { PrometheusExporter } = require('@opentelemetry/exporter-prometheus');
const { MeterProvider } = require('@opentelemetry/sdk-metrics');

const port = Number(process.env.METRICS_PORT ?? 9464);
// Node also runs `--require` modules in the thread of module loader hooks
// (registered by the backend's TypeScript transform in development): only the
// main thread, where the backend runs, may take the port.
if (isMainThread && port > 0) {
  const exporter = new PrometheusExporter({
    port,
    host: process.env.METRICS_HOST,
  });
  metrics.setGlobalMeterProvider(new MeterProvider({ readers: [exporter] }));
}
