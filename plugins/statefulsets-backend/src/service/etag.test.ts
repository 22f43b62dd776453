import {
  buildTopology,
  noTraffic,
  readEntityPolicy,
} from '@multicluster/backstage-plugin-statefulsets-common';
import { etagMatches, topologyEtag } from './etag';

function topology(now: number, latencyMs: number, region = 'eu-1') {
  return buildTopology({
    entityRef: 'component:default/db',
    policy: readEntityPolicy({}),
    snapshots: [
      {
        info: { name: 'a', region, zones: [] },
        latencyMs,
        error: { reason: 'timeout', message: 'slow' },
      },
    ],
    replication: [],
    traffic: noTraffic(),
    now,
  });
}

describe('topologyEtag', () => {
  it('ignores build time and latency but not content', () => {
    expect(topologyEtag(topology(1, 10))).toBe(topologyEtag(topology(2, 20)));
    expect(topologyEtag(topology(1, 10))).not.toBe(
      topologyEtag(topology(1, 10, 'eu-2')),
    );
  });
});

describe('etagMatches', () => {
  it('matches lists, weak forms and wildcards', () => {
    expect(etagMatches('"a", "b"', '"b"')).toBe(true);
    expect(etagMatches('W/"b"', '"b"')).toBe(true);
    expect(etagMatches('*', '"b"')).toBe(true);
    expect(etagMatches('"a"', '"b"')).toBe(false);
    expect(etagMatches(undefined, '"b"')).toBe(false);
  });
});
