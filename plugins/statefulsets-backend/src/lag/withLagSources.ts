/*
 * Puts several lag sources in front of a provider: the first source that
 * measures an engine wins, the others (and the provider's own lag) stand
 * behind it. Each wrapper asks its inner provider for the engines its own
 * source does not measure, so wrapping in reverse order of precedence gives
 * exactly that.
 */
import { LagSource } from '@multicluster/backstage-plugin-statefulsets-node';

/** Wraps `provider` so that `sources[0]` is consulted first, then `sources[1]`, … */
export function withLagSources<P>(
  provider: P,
  sources: readonly LagSource[],
  wrap: (inner: P, source: LagSource) => P,
): P {
  return sources.reduceRight((inner, source) => wrap(inner, source), provider);
}
