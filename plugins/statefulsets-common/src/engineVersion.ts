/*
 * The engine version an image runs, read from its tag (`mysql:8.4.2`,
 * `bitnami/mysql:8.0.36-debian-12-r1`, `postgres:16.3`, Strimzi's
 * `strimzi/kafka:1.2.0-kafka-4.1.0`), and how two versions compare for
 * replication from a primary to a replica.
 */

/** A version read from an image tag; parts the tag leaves out are absent. */
export interface EngineVersion {
  major: number;
  minor?: number;
  patch?: number;
  /** The tag it was read from. */
  tag: string;
}

/** An image tag read as a version, or why it could not be. */
export type ParsedEngineVersion =
  | { ok: true; version: EngineVersion }
  | { ok: false; reason: string };

/** Reads the engine version from an image reference's tag. */
export function parseEngineVersion(
  image: string | undefined,
): ParsedEngineVersion {
  if (!image) return { ok: false, reason: 'no image is set' };
  const [ref, digest] = image.split('@');
  const slash = ref.lastIndexOf('/');
  const colon = ref.lastIndexOf(':');
  if (colon <= slash) {
    return {
      ok: false,
      reason: digest
        ? `${image} is pinned by digest only, so its version is unknown (add a version tag)`
        : `${image} has no tag (it runs "latest"): pin a version tag such as 8.4.2`,
    };
  }
  const imageTag = ref.slice(colon + 1);
  // Strimzi's images name both releases, `<operator>-kafka-<kafka>`: the
  // engine's is the Kafka one.
  const strimzi = /^v?\d[\w.]*-kafka-(\d.*)$/.exec(imageTag);
  const tag = strimzi ? strimzi[1] : imageTag;
  const match = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:[-+_.].*)?$/.exec(tag);
  if (!match) {
    return {
      ok: false,
      reason: `tag "${tag}" of ${image} names no version (pin a version tag such as 8.4.2)`,
    };
  }
  const num = (s: string | undefined) => (s === undefined ? undefined : +s);
  return {
    ok: true,
    version: {
      major: Number(match[1]),
      minor: num(match[2]),
      patch: num(match[3]),
      tag,
    },
  };
}

/** How a replica's version stands against its primary's. */
export type VersionSkew =
  | 'same'
  | 'replica-older'
  | 'major-gap'
  | 'replica-newer'
  | 'imprecise';

/**
 * Compares a replica's version with its primary's. A different major
 * version or an older replica blocks replication or failover in MySQL,
 * PostgreSQL and MongoDB alike; a newer replica within the major version
 * replicates but should not stay so. `imprecise` when the tags agree as far
 * as both go but one leaves out a part (`8.4` against `8.4.2`).
 */
export function compareVersions(
  primary: EngineVersion,
  replica: EngineVersion,
): VersionSkew {
  if (primary.major !== replica.major) return 'major-gap';
  const parts: Array<'minor' | 'patch'> = ['minor', 'patch'];
  for (const part of parts) {
    const p = primary[part];
    const r = replica[part];
    if (p === undefined && r === undefined) return 'same';
    if (p === undefined || r === undefined) return 'imprecise';
    if (r < p) return 'replica-older';
    if (r > p) return 'replica-newer';
  }
  return 'same';
}
