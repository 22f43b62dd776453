/*
 * Replication lag read from Prometheus: one PromQL query per engine against
 * `/api/v1/query`, evaluated together with `timestamp()` over it so the lag
 * carries the time it was scraped. Every call has a timeout; a failing,
 * slow or garbage-answering Prometheus gives an unknown lag with the reason,
 * never a stale number. The lag's history comes from the same query over
 * `/api/v1/query_range`. Credentials go into request headers only: they
 * appear in no reason and no log line.
 */
import { LoggerService } from '@backstage/backend-plugin-api';
import {
  ExternalLagReading,
  LAG_FRESHNESS_SECONDS,
} from '@multicluster/backstage-plugin-statefulsets-common';
import {
  LagSource,
  LagTarget,
} from '@multicluster/backstage-plugin-statefulsets-node';
import { renderLagQuery, resolveLagQueries } from './lagQueries';
import {
  freshSamples,
  InstantSample,
  lagFromSamples,
  parseInstantQuery,
  parseRangeQuery,
  PrometheusAnswerError,
  RangePoint,
} from './prometheusResponse';

/** Options of `PrometheusLagSource.create`. */
export interface PrometheusLagSourceOptions {
  /** Base URL of the Prometheus HTTP API (Prometheus, Thanos Query, Mimir…), e.g. `http://prometheus:9090`. */
  url: string;
  /** PromQL per engine, over the defaults; an empty query turns an engine off. */
  queries?: Record<string, string>;
  /** Timeout of one query in milliseconds (default 2000). */
  timeoutMs?: number;
  /** Samples older than this many seconds are an unknown lag (default 30). */
  maxAgeSeconds?: number;
  /** Sent as `Authorization: Bearer …`. */
  bearerToken?: string;
  /** Extra request headers, e.g. a tenant header. */
  headers?: Record<string, string>;
  logger?: LoggerService;
  /** Defaults to the global fetch. */
  fetch?: typeof fetch;
  /** Milliseconds since the epoch (default Date.now). */
  now?: () => number;
}

/** A span of the lag's history: milliseconds since the epoch, and Prometheus' step. */
export interface LagRange {
  start: number;
  end: number;
  stepSeconds: number;
}

/** Why a query gave no answer; the message is safe to show and log. */
class QueryFailure extends Error {}

function describeNetworkError(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } })?.cause;
  return (
    cause?.code ??
    cause?.message ??
    (err instanceof Error ? err.message : String(err))
  );
}

function failureReason(err: unknown, engine: string): string {
  if (err instanceof QueryFailure) return err.message;
  if (err instanceof PrometheusAnswerError) {
    return `the ${engine} query failed in Prometheus: ${err.message}`;
  }
  return `Prometheus failed: ${describeNetworkError(err)}`;
}

/** Reads replication lag from Prometheus. */
export class PrometheusLagSource implements LagSource {
  readonly id = 'prometheus';
  readonly #endpoint: URL;
  readonly #rangeEndpoint: URL;
  readonly #headers: Record<string, string>;
  readonly #queries: Map<string, string>;
  readonly #timeoutMs: number;
  readonly #maxAgeSeconds: number;
  readonly #logger?: LoggerService;
  readonly #fetch: typeof fetch;
  readonly #now: () => number;
  #lastFailure?: string;

  private constructor(options: PrometheusLagSourceOptions) {
    let base: URL;
    try {
      base = new URL(options.url);
    } catch {
      throw new Error('The Prometheus URL of the lag source is not a URL');
    }
    if (base.protocol !== 'http:' && base.protocol !== 'https:') {
      throw new Error('The Prometheus URL of the lag source must be http(s)');
    }
    const headers: Record<string, string> = { ...options.headers };
    // fetch refuses URLs with credentials: send them as Basic auth instead.
    if (base.username || base.password) {
      headers.Authorization = `Basic ${Buffer.from(
        `${decodeURIComponent(base.username)}:${decodeURIComponent(
          base.password,
        )}`,
      ).toString('base64')}`;
      base.username = '';
      base.password = '';
    }
    if (options.bearerToken) {
      headers.Authorization = `Bearer ${options.bearerToken}`;
    }
    if (!base.pathname.endsWith('/')) base.pathname += '/';
    this.#endpoint = new URL('api/v1/query', base);
    this.#rangeEndpoint = new URL('api/v1/query_range', base);
    this.#headers = headers;
    this.#queries = resolveLagQueries(options.queries);
    this.#timeoutMs = options.timeoutMs ?? 2000;
    this.#maxAgeSeconds = options.maxAgeSeconds ?? LAG_FRESHNESS_SECONDS;
    this.#logger = options.logger;
    this.#fetch = options.fetch ?? fetch;
    this.#now = options.now ?? Date.now;
  }

  /** Creates the source; throws on a malformed URL or a query with an unknown placeholder. */
  static create(options: PrometheusLagSourceOptions): PrometheusLagSource {
    return new PrometheusLagSource(options);
  }

  /** The engines with a query. */
  engines(): string[] {
    return [...this.#queries.keys()];
  }

  supportsEngine(engine: string): boolean {
    return this.#queries.has(engine);
  }

  async readLag(
    target: LagTarget,
    options?: { signal?: AbortSignal },
  ): Promise<ExternalLagReading> {
    const template = this.#queries.get(target.engine);
    if (!template) {
      return {
        seconds: null,
        reason: `lag unknown: no Prometheus query for engine ${target.engine}`,
      };
    }
    const rendered = renderLagQuery(template, target);
    if ('missing' in rendered) {
      return {
        seconds: null,
        reason: `lag unknown: the ${
          target.engine
        } query needs ${rendered.missing
          .map(p => `{{${p}}}`)
          .join(', ')}, not known here`,
      };
    }
    const now = this.#now();
    try {
      const [values, times] = await Promise.all([
        this.#query(rendered.query, now, options?.signal),
        this.#query(`timestamp(${rendered.query})`, now, options?.signal),
      ]);
      this.#recovered();
      return lagFromSamples(values, times, {
        now,
        maxAgeSeconds: this.#maxAgeSeconds,
      });
    } catch (err) {
      if (options?.signal?.aborted) throw err;
      const reason = failureReason(err, target.engine);
      this.#failed(reason);
      return { seconds: null, reason: `lag unknown: ${reason}` };
    }
  }

  /**
   * The lag of a replica over a span of time, one point per step (the
   * highest of its series there), oldest first; steps without a value are
   * left out. Throws an error whose message is safe to show when the engine
   * has no query, the query needs a value not known, or Prometheus fails;
   * rethrows the caller's abort untouched.
   */
  async readLagRange(
    target: LagTarget,
    range: LagRange,
    options?: { signal?: AbortSignal },
  ): Promise<RangePoint[]> {
    const template = this.#queries.get(target.engine);
    if (!template) {
      throw new Error(`no Prometheus query for engine ${target.engine}`);
    }
    const rendered = renderLagQuery(template, target);
    if ('missing' in rendered) {
      throw new Error(
        `the ${target.engine} query needs ${rendered.missing
          .map(p => `{{${p}}}`)
          .join(', ')}, not known here`,
      );
    }
    try {
      const answer = await this.#post(
        this.#rangeEndpoint,
        {
          query: rendered.query,
          start: (range.start / 1000).toFixed(3),
          end: (range.end / 1000).toFixed(3),
          step: String(range.stepSeconds),
        },
        options?.signal,
      );
      const points = parseRangeQuery(answer);
      this.#recovered();
      return points;
    } catch (err) {
      if (options?.signal?.aborted) throw err;
      const reason = failureReason(err, target.engine);
      this.#failed(reason);
      throw new Error(reason, { cause: err });
    }
  }

  /**
   * The series of an instant query scraped within the freshness bound, at
   * the time of asking. Throws an error whose message is safe to show when
   * Prometheus fails; rethrows the caller's abort untouched.
   */
  async readFreshSamples(
    query: string,
    options?: { signal?: AbortSignal },
  ): Promise<InstantSample[]> {
    const now = this.#now();
    try {
      const [values, times] = await Promise.all([
        this.#query(query, now, options?.signal),
        this.#query(`timestamp(${query})`, now, options?.signal),
      ]);
      return freshSamples(values, times, {
        now,
        maxAgeSeconds: this.#maxAgeSeconds,
      });
    } catch (err) {
      if (options?.signal?.aborted) throw err;
      throw new Error(failureReason(err, 'engine role'), { cause: err });
    }
  }

  async #query(
    query: string,
    now: number,
    signal: AbortSignal | undefined,
  ): Promise<InstantSample[]> {
    const answer = await this.#post(
      this.#endpoint,
      { query, time: (now / 1000).toFixed(3) },
      signal,
    );
    return parseInstantQuery(answer);
  }

  /** POSTs a query's parameters; the JSON answer, or a QueryFailure. */
  async #post(
    endpoint: URL,
    params: Record<string, string>,
    signal: AbortSignal | undefined,
  ): Promise<unknown> {
    const timeout = AbortSignal.timeout(this.#timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    const body = new URLSearchParams({
      ...params,
      timeout: String(this.#timeoutMs / 1000),
    });
    let answer: unknown;
    let status: number;
    try {
      const res = await this.#fetch(endpoint, {
        method: 'POST',
        headers: {
          ...this.#headers,
          Accept: 'application/json',
          'Content-Type': 'application/x-www-form-urlencoded',
        },
        body,
        signal: combined,
      });
      status = res.status;
      const text = await res.text();
      try {
        answer = JSON.parse(text);
      } catch {
        throw new QueryFailure(
          `Prometheus answered HTTP ${status} without JSON`,
        );
      }
    } catch (err) {
      if (signal?.aborted) throw err;
      if (err instanceof QueryFailure) throw err;
      if (timeout.aborted) {
        throw new QueryFailure(
          `Prometheus did not answer within ${this.#timeoutMs} ms`,
        );
      }
      throw new QueryFailure(
        `Prometheus unreachable: ${describeNetworkError(err)}`,
      );
    }
    // Prometheus explains a refused query (400, 422, 503) in a JSON error body.
    if (status >= 300 && (answer as { status?: unknown })?.status !== 'error') {
      throw new QueryFailure(`Prometheus answered HTTP ${status}`);
    }
    return answer;
  }

  #failed(reason: string): void {
    if (reason === this.#lastFailure) return;
    this.#lastFailure = reason;
    this.#logger?.warn(`Replication lag from Prometheus unknown: ${reason}`);
  }

  #recovered(): void {
    if (this.#lastFailure === undefined) return;
    this.#lastFailure = undefined;
    this.#logger?.info('Prometheus answers the replication lag queries again');
  }
}
