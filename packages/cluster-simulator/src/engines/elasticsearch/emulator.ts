/*
 * The Elasticsearch engine emulator: which images it serves, and the
 * programs of their containers (`curl` against the node's REST API). Each
 * StatefulSet is one cluster (./cluster); its state survives pod restarts.
 * A replica StatefulSet's lag is its follower indices' (the furthest
 * behind; see ./state).
 */
import type { EngineEmulator, ExecTarget } from '../programs';
import { runningPodsOf, sideLag } from '../replicaLag';
import {
  clusterHost,
  isElasticsearchImage,
  nodeCount,
  securityEnabled,
  statefulSetOf,
} from './cluster';
import { followerLagOf, materialize } from './state';
import { esCurl } from './curl';
import { containerEnv, mountedFile } from './podFiles';

/** The home of the image's `elasticsearch` user. */
const ES_HOME = '/usr/share/elasticsearch';

/** The Elasticsearch emulator: `curl` in Elasticsearch images. */
export const elasticsearchEmulator: EngineEmulator = {
  engine: 'elasticsearch',
  matchesImage: isElasticsearchImage,
  programs: (t: ExecTarget) => ({
    curl: (args, io) => {
      const place = {
        store: t.store,
        sts: statefulSetOf(t.store, t.pod),
        pod: t.pod,
        peers: t.peers,
      };
      return esCurl(args, io, {
        host: clusterHost(place, t.now),
        ownNames: [t.pod.metadata.name],
        security: securityEnabled(place),
        elasticPassword: containerEnv(
          t.store,
          t.pod,
          t.container,
          'ELASTIC_PASSWORD',
        ),
        nodes: () => nodeCount(place),
        readFile: path => mountedFile(t.store, t.pod, t.container, path),
        home: containerEnv(t.store, t.pod, t.container, 'HOME') ?? ES_HOME,
      });
    },
  }),
  // A follower keeps what it read when its leader is cut off.
  settle: (store, now, peers) => {
    for (const sts of store.peekAll('apps', 'StatefulSet')) {
      const runsEs = (sts.spec?.template?.spec?.containers ?? []).some(
        (c: any) => isElasticsearchImage(String(c?.image ?? '')),
      );
      const pod = runsEs ? runningPodsOf(store, sts)[0] : undefined;
      if (!pod) continue;
      const host = clusterHost({ store, sts, pod, peers }, now);
      host.save(materialize(host.load(), host, now()));
    }
  },
  // Read as the exporter reads: nothing is stored.
  replicaLag: ({ store, sts, now, peers }) => {
    const pod = runningPodsOf(store, sts)[0];
    if (!pod) return undefined;
    const host = clusterHost({ store, sts, pod, peers }, now, 0, true);
    const followers = Object.entries(host.load().indices)
      .map(([name, ix]) => followerLagOf(name, ix, host))
      .filter(l => l !== undefined);
    return followers.length
      ? sideLag(followers)
      : { error: 'no index follows a remote cluster' };
  },
};
