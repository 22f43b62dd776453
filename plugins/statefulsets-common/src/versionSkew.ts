/*
 * The DR readiness rule on engine versions: every replica side runs a
 * version its primary side can replicate to and fail over to. Primary and
 * replica sides are matched by role (annotation, chart component label or
 * an operator such as CloudNativePG or Strimzi) and engine, not by name.
 */
import { engineOfImage } from './chartConventions';
import { compareVersions, parseEngineVersion } from './engineVersion';
import { ReadinessCheck, TopologyCluster, TopologyWorkload } from './types';

interface Side {
  ref: string;
  engine: string;
  workload: TopologyWorkload;
}

/**
 * The engine a workload runs: Kafka for a Strimzi `Kafka` (whose image tag
 * names the Kafka version), else what its image says.
 */
function engineOfWorkload(w: TopologyWorkload): string {
  if (w.kind === 'Kafka') return 'kafka';
  return engineOfImage(w.image) ?? 'unknown engine';
}

function sidesOf(clusters: TopologyCluster[], role: 'active' | 'passive') {
  return clusters.flatMap(c =>
    c.workloads
      // A workload that reports no image has nothing to judge.
      .filter(w => w.role === role && w.image)
      .map(
        (w): Side => ({
          ref: `${c.name}/${w.name}`,
          engine: engineOfWorkload(w),
          workload: w,
        }),
      ),
  );
}

function judgePair(
  primary: Side,
  replica: Side,
): { status: ReadinessCheck['status']; evidence: string } {
  const p = parseEngineVersion(primary.workload.image);
  const r = parseEngineVersion(replica.workload.image);
  if (!p.ok) {
    return { status: 'warn', evidence: `primary ${primary.ref}: ${p.reason}` };
  }
  if (!r.ok) {
    return { status: 'warn', evidence: `replica ${replica.ref}: ${r.reason}` };
  }
  const pv = p.version.tag;
  const rv = r.version.tag;
  const pair = `replica ${replica.ref} runs ${replica.engine} ${rv}, its primary ${primary.ref} ${pv}`;
  switch (compareVersions(p.version, r.version)) {
    case 'major-gap':
      return {
        status: 'fail',
        evidence: `${pair}: major versions ${r.version.major} and ${p.version.major} differ, which blocks replication and failover (run one major version on both sides)`,
      };
    case 'replica-older':
      return {
        status: 'fail',
        evidence: `${pair}: the replica is older than its primary, which blocks replication and failover (upgrade the replica first)`,
      };
    case 'replica-newer':
      return {
        status: 'warn',
        evidence: `${pair}: the replica is newer (finish the upgrade on the primary)`,
      };
    case 'imprecise':
      return {
        status: 'warn',
        evidence: `${pair}: cannot tell which is older (pin full versions such as 8.4.2)`,
      };
    default:
      return { status: 'pass', evidence: `${pair}` };
  }
}

/**
 * Judges the engine versions of every primary/replica pair of one engine.
 * Fails on a replica older than its primary or on a major-version gap, warns
 * on a newer replica or a tag that names no version; undefined when the
 * entity has no primary and replica side to compare.
 */
export function versionSkewCheck(
  clusters: TopologyCluster[],
): ReadinessCheck | undefined {
  const primaries = sidesOf(clusters, 'active');
  const replicas = sidesOf(clusters, 'passive');
  const results = replicas.flatMap(replica =>
    primaries
      .filter(primary => primary.engine === replica.engine)
      .map(primary => judgePair(primary, replica)),
  );
  if (results.length === 0) return undefined;
  const failed = results.filter(r => r.status === 'fail');
  const warned = results.filter(r => r.status === 'warn');
  let status: ReadinessCheck['status'] = 'pass';
  if (failed.length) status = 'fail';
  else if (warned.length) status = 'warn';
  const shown = status === 'pass' ? results : [...failed, ...warned];
  return {
    id: 'engine-version',
    title: 'Replicas run an engine version their primary can fail over to',
    status,
    evidence: shown.map(r => r.evidence).join('; '),
  };
}
