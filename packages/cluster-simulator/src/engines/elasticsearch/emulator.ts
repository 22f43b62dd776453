/*
 * The Elasticsearch engine emulator: which images it serves, and the
 * programs of their containers (`curl` against the node's REST API). Each
 * StatefulSet is one cluster (./cluster); its state survives pod restarts.
 */
import type { EngineEmulator, ExecTarget } from '../programs';
import {
  clusterHost,
  isElasticsearchImage,
  nodeCount,
  securityEnabled,
  statefulSetOf,
} from './cluster';
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
};
