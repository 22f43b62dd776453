/*
 * The plugin's own metrics, through Backstage's metrics service
 * (OpenTelemetry): what operators watch to tell a slow page or a failing
 * cluster from a failing failover. Exported wherever the backend's
 * OpenTelemetry SDK sends its metrics (e.g. a Prometheus endpoint).
 *
 *   multicluster_statefulsets.cluster.up            gauge    {cluster, reason}  1 reachable and synced, 0 failing
 *   multicluster_statefulsets.informers             gauge    {cluster}          running watches
 *   multicluster_statefulsets.cluster.read.errors   counter  {cluster, reason}  reads a topology could not use
 *   multicluster_statefulsets.topology.compute.duration  histogram (ms)
 *   multicluster_statefulsets.topology.cache        counter  {result: hit|miss}
 *   multicluster_statefulsets.failover.runs         counter  {status}           finished runs by outcome
 *   multicluster_statefulsets.failover.step.duration     histogram (ms) {step, status}
 */
import type { MetricsService } from '@backstage/backend-plugin-api/alpha';

/** One cluster's state as the gauges report it. */
export interface ClusterGaugeState {
  cluster: string;
  up: boolean;
  reason?: string;
  informers: number;
}

const noop = { add() {}, record() {} };

/** The plugin's instruments; every method is a no-op without a metrics service. */
export class StatefulsetsMetrics {
  readonly #metrics?: MetricsService;
  readonly #readErrors;
  readonly #computeDuration;
  readonly #cache;
  readonly #runs;
  readonly #stepDuration;

  private constructor(metrics?: MetricsService) {
    this.#metrics = metrics;
    this.#readErrors =
      metrics?.createCounter('multicluster_statefulsets.cluster.read.errors', {
        description:
          'Cluster reads a topology could not use, by cluster and reason',
      }) ?? noop;
    this.#computeDuration =
      metrics?.createHistogram(
        'multicluster_statefulsets.topology.compute.duration',
        { description: 'Time to compute one topology', unit: 'ms' },
      ) ?? noop;
    this.#cache =
      metrics?.createCounter('multicluster_statefulsets.topology.cache', {
        description: 'Topology reads answered from the shared cache or not',
      }) ?? noop;
    this.#runs =
      metrics?.createCounter('multicluster_statefulsets.failover.runs', {
        description: 'Finished failover runs, by status',
      }) ?? noop;
    this.#stepDuration =
      metrics?.createHistogram(
        'multicluster_statefulsets.failover.step.duration',
        { description: 'Duration of failover steps', unit: 'ms' },
      ) ?? noop;
  }

  static create(metrics?: MetricsService): StatefulsetsMetrics {
    return new StatefulsetsMetrics(metrics);
  }

  /** Reports the clusters' state whenever metrics are collected. */
  observeClusters(read: () => ClusterGaugeState[]): void {
    if (!this.#metrics) return;
    const up = this.#metrics.createObservableGauge(
      'multicluster_statefulsets.cluster.up',
      { description: '1 when the cluster is reachable and synced, else 0' },
    );
    const informers = this.#metrics.createObservableGauge(
      'multicluster_statefulsets.informers',
      { description: 'Running list/watch informers per cluster' },
    );
    up.addCallback(result => {
      for (const c of read()) {
        result.observe(c.up ? 1 : 0, {
          cluster: c.cluster,
          ...(c.reason ? { reason: c.reason } : {}),
        });
      }
    });
    informers.addCallback(result => {
      for (const c of read()) {
        result.observe(c.informers, { cluster: c.cluster });
      }
    });
  }

  clusterReadFailed(cluster: string, reason: string): void {
    this.#readErrors.add(1, { cluster, reason });
  }

  topologyComputed(durationMs: number): void {
    this.#computeDuration.record(durationMs);
  }

  cacheLookup(result: 'hit' | 'miss'): void {
    this.#cache.add(1, { result });
  }

  failoverRunFinished(status: string): void {
    this.#runs.add(1, { status });
  }

  failoverStepFinished(step: string, status: string, durationMs: number): void {
    this.#stepDuration.record(durationMs, { step, status });
  }
}
