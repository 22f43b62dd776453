/*
 * Reads the entity annotations that shape topology and readiness into one
 * policy object, with the documented defaults.
 */
import {
  ANNOTATION_ALLOWED_REGIONS,
  ANNOTATION_ENGINE,
  ANNOTATION_FENCE_BUDGET,
  ANNOTATION_MAX_FAILOVER_LAG,
  ANNOTATION_STRATEGY,
  ANNOTATION_TRAFFIC,
  DEFAULT_FENCE_BUDGET_SECONDS,
  DEFAULT_MAX_FAILOVER_LAG_SECONDS,
  FENCE_BUDGET_RANGE_SECONDS,
} from './annotations';
import { EntityPolicy } from './types';

/** Longest value read from an annotation holding one name, id or number. */
export const ANNOTATION_VALUE_MAX_LENGTH = 253;
/** Longest value read from an annotation holding a list (allowed-regions, label selectors). */
export const ANNOTATION_LIST_MAX_LENGTH = 1024;
/** Most region patterns the allowed-regions annotation may list. */
export const ALLOWED_REGIONS_MAX_PATTERNS = 32;

/**
 * Why an annotation value is not read, or undefined when it is within
 * `max`. Catalog entities are written by anyone who can open a pull request,
 * so the backend bounds what it evaluates on every cluster change.
 */
export function annotationTooLong(
  key: string,
  value: string | undefined,
  max: number,
): string | undefined {
  if (value === undefined || value.length <= max) return undefined;
  return `annotation ${key} is ${value.length} characters; at most ${max} are read — shorten it`;
}

function readAllowedRegions(
  value: string | undefined,
  problems: string[],
): string[] {
  const tooLong = annotationTooLong(
    ANNOTATION_ALLOWED_REGIONS,
    value,
    ANNOTATION_LIST_MAX_LENGTH,
  );
  if (tooLong) {
    problems.push(tooLong);
    return [];
  }
  const patterns = (value ?? '')
    .split(',')
    .map(s => s.trim())
    .filter(Boolean);
  if (patterns.length > ALLOWED_REGIONS_MAX_PATTERNS) {
    problems.push(
      `annotation ${ANNOTATION_ALLOWED_REGIONS} lists ${patterns.length} patterns; at most ${ALLOWED_REGIONS_MAX_PATTERNS} are read — merge them with * wildcards`,
    );
    return [];
  }
  return patterns;
}

/**
 * Builds the entity policy from its annotations. A value longer than its
 * bound is not read: the default applies and `problems` says which
 * annotation to shorten.
 */
export function readEntityPolicy(
  annotations: Record<string, string> | undefined,
): EntityPolicy {
  const problems: string[] = [];
  const read = (key: string): string | undefined => {
    const tooLong = annotationTooLong(
      key,
      annotations?.[key],
      ANNOTATION_VALUE_MAX_LENGTH,
    );
    if (!tooLong) return annotations?.[key];
    problems.push(tooLong);
    return undefined;
  };
  const lagValue = read(ANNOTATION_MAX_FAILOVER_LAG);
  const lag = Number(lagValue);
  const budgetValue = read(ANNOTATION_FENCE_BUDGET)?.trim();
  const budget = Number(budgetValue);
  let fenceBudgetSeconds = DEFAULT_FENCE_BUDGET_SECONDS;
  if (budgetValue !== undefined && budgetValue !== '') {
    const { min, max } = FENCE_BUDGET_RANGE_SECONDS;
    if (Number.isFinite(budget) && budget >= min && budget <= max) {
      fenceBudgetSeconds = budget;
    } else {
      problems.push(
        `${ANNOTATION_FENCE_BUDGET} must be a number of seconds from ${min} to ${max} (got "${budgetValue}"); the default ${DEFAULT_FENCE_BUDGET_SECONDS} s applies`,
      );
    }
  }
  const traffic = read(ANNOTATION_TRAFFIC)?.trim();
  let trafficRef: EntityPolicy['traffic'];
  if (traffic) {
    const [namespace, name] = traffic.includes('/')
      ? traffic.split('/', 2)
      : ['default', traffic];
    if (namespace && name) trafficRef = { namespace, name };
  }
  const policy: EntityPolicy = {
    engine: read(ANNOTATION_ENGINE)?.trim() || 'generic',
    strategy:
      read(ANNOTATION_STRATEGY)?.trim() === 'active-active'
        ? 'active-active'
        : 'active-passive',
    traffic: trafficRef,
    maxFailoverLagSeconds:
      lagValue !== undefined && Number.isFinite(lag) && lag >= 0
        ? lag
        : DEFAULT_MAX_FAILOVER_LAG_SECONDS,
    fenceBudgetSeconds,
    allowedRegions: readAllowedRegions(
      annotations?.[ANNOTATION_ALLOWED_REGIONS],
      problems,
    ),
  };
  if (problems.length) policy.problems = problems;
  return policy;
}

/**
 * Whether `text` matches `pattern`, where `*` stands for any run of
 * characters. Greedy two-pointer matching: on a mismatch it only moves the
 * text position the last `*` swallows, so the worst case is
 * O(text × pattern) with no backtracking blow-up, unlike a RegExp built from
 * the pattern.
 */
export function globMatch(pattern: string, text: string): boolean {
  let p = 0;
  let t = 0;
  let star = -1;
  let starText = 0;
  while (t < text.length) {
    if (p < pattern.length && pattern[p] !== '*' && pattern[p] === text[t]) {
      p++;
      t++;
    } else if (p < pattern.length && pattern[p] === '*') {
      star = p;
      starText = t;
      p++;
    } else if (star !== -1) {
      p = star + 1;
      starText++;
      t = starText;
    } else {
      return false;
    }
  }
  while (p < pattern.length && pattern[p] === '*') p++;
  return p === pattern.length;
}

/** True when `region` matches one of the glob patterns (`*` wildcard); no patterns allow all. */
export function regionAllowed(region: string, patterns: string[]): boolean {
  if (patterns.length === 0) return true;
  return patterns.some(pattern => globMatch(pattern, region));
}
