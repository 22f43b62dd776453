/*
 * Puts a lag measured elsewhere (a metrics system such as Prometheus) onto a
 * replication link a provider reported, keeping what the provider knows best:
 * who replicates from whom, and problems of the link that are not about lag.
 */
import { ReplicationLink } from './types';

/** A lag measured outside the provider; `seconds: null` means unknown, with the reason. */
export interface ExternalLagReading {
  seconds: number | null;
  /** RFC 3339 time of the measurement. */
  observedAt?: string;
  /** Why the lag is unknown. */
  reason?: string;
}

/**
 * Whether a link's reason is about its lag. Every reason `judgeLag` gives
 * starts with "lag"; any other reason (a CloudNativePG phase, say) is a
 * problem of the link itself and survives an overlay.
 */
export function isLagReason(reason: string | undefined): boolean {
  return reason === undefined || /^lag\b/i.test(reason);
}

/** The link with its lag, health and reason taken from an external reading. */
export function overlayLag(
  link: ReplicationLink,
  reading: ExternalLagReading,
  options: { lagSource: string; maxLagSeconds: number },
): ReplicationLink {
  const ownProblem =
    !link.healthy && !isLagReason(link.reason) ? link.reason : undefined;
  const seconds =
    reading.seconds !== null && Number.isFinite(reading.seconds)
      ? reading.seconds
      : null;
  let lagReason: string | undefined;
  if (seconds === null) {
    lagReason = reading.reason ?? 'lag not reported';
  } else if (seconds > options.maxLagSeconds) {
    lagReason = `lag ${seconds}s over the ${options.maxLagSeconds}s bound`;
  }
  const next: ReplicationLink = {
    ...link,
    lagSeconds: seconds,
    observedAt: reading.observedAt,
    lagSource: options.lagSource,
    healthy: lagReason === undefined && ownProblem === undefined,
    reason: ownProblem ?? lagReason,
  };
  // Bytes behind came with the provider's own measurement, not this one.
  delete next.lagBytes;
  return next;
}
