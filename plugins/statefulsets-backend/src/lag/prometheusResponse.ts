/*
 * Reading Prometheus' answers to instant queries (`/api/v1/query`) and
 * turning the lag query's samples, with their sample times, into one lag
 * reading. A sample older than the freshness bound is an unknown lag, never
 * a stale number.
 */
import { ExternalLagReading } from '@multicluster/backstage-plugin-statefulsets-common';

/** One sample of an instant query's answer. */
export interface InstantSample {
  labels: Record<string, string>;
  value: number;
}

/** An answer Prometheus gave but that carries no usable result. */
export class PrometheusAnswerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PrometheusAnswerError';
  }
}

/** Prometheus writes special floats as strings of its own. */
function parseSampleValue(raw: unknown): number {
  if (raw === '+Inf') return Infinity;
  if (raw === '-Inf') return -Infinity;
  if (typeof raw !== 'string' || raw.trim() === '') return NaN;
  return Number(raw);
}

function parsePair(pair: unknown): number {
  if (!Array.isArray(pair) || pair.length !== 2) {
    throw new PrometheusAnswerError('a sample is not a [time, value] pair');
  }
  return parseSampleValue(pair[1]);
}

/**
 * The samples of an instant query's JSON answer. Throws on an error answer
 * (with Prometheus' errorType and message) or an unexpected shape; a scalar
 * answer counts as one sample without labels.
 */
export function parseInstantQuery(body: unknown): InstantSample[] {
  const answer = body as {
    status?: unknown;
    errorType?: unknown;
    error?: unknown;
    data?: { resultType?: unknown; result?: unknown };
  } | null;
  if (!answer || typeof answer !== 'object') {
    throw new PrometheusAnswerError('the answer is not a JSON object');
  }
  if (answer.status === 'error') {
    throw new PrometheusAnswerError(
      `${String(answer.errorType ?? 'error')}: ${String(
        answer.error ?? 'no message',
      )}`,
    );
  }
  if (answer.status !== 'success' || !answer.data) {
    throw new PrometheusAnswerError('the answer has no data');
  }
  const { resultType, result } = answer.data;
  if (resultType === 'scalar') {
    return [{ labels: {}, value: parsePair(result) }];
  }
  if (resultType !== 'vector' || !Array.isArray(result)) {
    throw new PrometheusAnswerError(
      `expected an instant vector, got ${String(resultType)}`,
    );
  }
  return result.map((item: { metric?: unknown; value?: unknown }) => {
    const labels: Record<string, string> = {};
    if (item?.metric && typeof item.metric === 'object') {
      for (const [k, v] of Object.entries(item.metric)) labels[k] = String(v);
    }
    return { labels, value: parsePair(item?.value) };
  });
}

/** Inputs of `lagFromSamples`. */
export interface LagFromSamplesOptions {
  /** Milliseconds since the epoch: the queries' evaluation time. */
  now: number;
  /** Samples older than this many seconds make the lag unknown. */
  maxAgeSeconds: number;
}

/**
 * One lag reading from the samples of the lag query and of `timestamp()`
 * over it, both evaluated at `now`. Several series (one per pod, say) count
 * as their highest lag, measured when the oldest of them was.
 */
export function lagFromSamples(
  values: InstantSample[],
  timestamps: InstantSample[],
  options: LagFromSamplesOptions,
): ExternalLagReading {
  if (values.length === 0) {
    return { seconds: null, reason: 'lag not in Prometheus (no series)' };
  }
  if (values.some(s => !Number.isFinite(s.value))) {
    return { seconds: null, reason: 'lag in Prometheus is not a number' };
  }
  const times = timestamps.map(s => s.value);
  if (times.length === 0 || times.some(t => !Number.isFinite(t))) {
    return { seconds: null, reason: 'lag in Prometheus has no sample time' };
  }
  const observedMs = Math.min(...times) * 1000;
  const observedAt = new Date(observedMs).toISOString();
  const ageSeconds = (options.now - observedMs) / 1000;
  if (ageSeconds > options.maxAgeSeconds) {
    return {
      seconds: null,
      observedAt,
      reason: `lag last observed ${Math.round(ageSeconds)}s ago`,
    };
  }
  // A lag computed against a skewed clock may dip below zero: nothing is behind.
  const seconds = Math.max(0, ...values.map(s => s.value));
  return { seconds, observedAt };
}
