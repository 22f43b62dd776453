// The demotion token a CloudNativePG primary publishes when it steps down,
// and which the other side must present (as its promotion token) to promote:
// where the old primary stopped writing, so no write is lost.
import { createHash } from 'node:crypto';
import { isoSeconds } from '../../api/timestamp';

/** The content of a demotion token: where the old primary stopped writing. */
export interface DemotionTokenContent {
  databaseSystemIdentifier: string;
  latestCheckpointTimelineID: number;
  latestCheckpointREDOLocation: string;
  redoWALFile: string;
  timeOfLatestCheckpoint: string;
  operatorVersion: string;
}

/** Decodes a demotion/promotion token; undefined when it is not one. */
export function decodeDemotionToken(
  token: string,
): DemotionTokenContent | undefined {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64').toString('utf8'));
    return typeof parsed?.latestCheckpointTimelineID === 'number'
      ? parsed
      : undefined;
  } catch {
    return undefined;
  }
}

/** The identifier both sides of a replica topology share. */
export function systemIdentifier(namespace: string, name: string): string {
  // Both sides of a replica topology share the system identifier of the
  // database they were cloned from; derive it from the name so they agree.
  const hash = createHash('sha256').update(`${namespace}/${name}`).digest();
  return (BigInt(`0x${hash.subarray(0, 8).toString('hex')}`) % 10n ** 19n)
    .toString()
    .padStart(19, '7');
}

function lsnAt(ms: number): { lsn: string; walFile: (tl: number) => string } {
  const bytes = BigInt(Math.floor(ms / 1000)) * 16384n;
  const hi = bytes >> 32n;
  const lo = bytes & 0xffffffffn;
  const hex = (v: bigint, w = 8) =>
    v.toString(16).toUpperCase().padStart(w, '0');
  return {
    lsn: `${hi.toString(16).toUpperCase()}/${lo.toString(16).toUpperCase()}`,
    walFile: tl => `${hex(BigInt(tl))}${hex(hi)}${hex(lo >> 24n)}`,
  };
}

/** The token a primary publishes as it demotes at `now` on `timeline`. */
export function makeDemotionToken(
  namespace: string,
  name: string,
  timeline: number,
  now: number,
): string {
  const { lsn, walFile } = lsnAt(now);
  const content: DemotionTokenContent = {
    databaseSystemIdentifier: systemIdentifier(namespace, name),
    latestCheckpointTimelineID: timeline,
    latestCheckpointREDOLocation: lsn,
    redoWALFile: walFile(timeline),
    timeOfLatestCheckpoint: isoSeconds(now),
    operatorVersion: 'simulated',
  };
  return Buffer.from(JSON.stringify(content), 'utf8').toString('base64');
}
