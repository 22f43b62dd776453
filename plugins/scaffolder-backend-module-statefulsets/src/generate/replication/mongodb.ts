/*
 * MongoDB replication: one replica set spanning every cluster. Members
 * authenticate to each other with a keyFile and clients with the root user,
 * both from the credentials Secret; the set forms and completes itself
 * (mongodbReplset.ts); votes and priorities favour the primary cluster
 * with an odd number of voters (mongodbVotes.ts).
 */
import { podAddress, podNames, primaryCluster } from '../naming';
import { NormalizedRequest, ResolvedPlacement } from '../validateRequest';
import { REPLSET_FILES, replsetScript } from './mongodbReplset';
import { votersPerCluster } from './mongodbVotes';
import {
  ContainerWiring,
  POD_INDEX_ENV,
  ReplicationWiring,
  configMap,
  credentialsSecretName,
  fromSecret,
} from './wiring';

const CONFIG_DIR = '/etc/mongo';
const SECRET_DIR = '/etc/mongo-keyfile';
// mongod refuses a keyFile its group or others may read, and kubelet makes
// Secret files group-readable under fsGroup: mongod reads a private copy.
const KEYFILE = '/tmp/mongo-keyfile';
// The mongodb user and group of the official image.
const MONGODB_ID = 999;
/** Seconds between two runs of the replica-set script. */
const RECONCILE_SECONDS = 15;

/** Keys of the credentials Secret MongoDB reads. */
export const MONGODB_SECRET_KEYS = {
  username: 'root-username',
  password: 'root-password',
  keyFile: 'keyfile',
} as const;

/** One member of the replica set configuration. */
export interface ReplicaSetMember {
  _id: number;
  host: string;
  priority: number;
  votes: number;
  tags: Record<string, string>;
}

function member(
  r: NormalizedRequest,
  c: ResolvedPlacement,
  index: number,
  voting: boolean,
): ReplicaSetMember {
  const pod = podNames(r, c)[index];
  // Non-voters cannot be elected; among voters the primary cluster's win.
  let priority = 0;
  if (voting) priority = c.name === primaryCluster(r).name ? 2 : 1;
  return {
    // The ordinal: stable while clusters are added or resized.
    _id: c.ordinalsStart + index,
    host: `${podAddress(r, c, pod)}:${r.port}`,
    priority,
    votes: voting ? 1 : 0,
    tags: { cluster: c.name, region: c.region ?? 'unknown' },
  };
}

/** The replica set every cluster forms: its members, their votes and priorities. */
export function replicaSetConfig(r: NormalizedRequest): {
  _id: string;
  members: ReplicaSetMember[];
} {
  const primary = r.clusters.findIndex(c => c === primaryCluster(r));
  const voters = votersPerCluster(
    r.clusters.map(c => c.replicas),
    primary,
  );
  const members = r.clusters.flatMap((c, ci) =>
    podNames(r, c).map((_, i) => member(r, c, i, i < voters[ci])),
  );
  return { _id: r.name, members };
}

function credentialsEnv(r: NormalizedRequest) {
  return [
    fromSecret(r, 'MONGO_INITDB_ROOT_USERNAME', MONGODB_SECRET_KEYS.username),
    fromSecret(r, 'MONGO_INITDB_ROOT_PASSWORD', MONGODB_SECRET_KEYS.password),
  ];
}

/** The container that runs the replica-set script beside mongod. */
function replsetContainer(r: NormalizedRequest): Record<string, unknown> {
  return {
    name: 'replset',
    image: `${r.image}:${r.version}`,
    command: [
      'bash',
      '-c',
      `while true; do mongosh --nodb --quiet ${CONFIG_DIR}/${REPLSET_FILES.script}; sleep ${RECONCILE_SECONDS}; done`,
    ],
    env: [
      ...credentialsEnv(r),
      POD_INDEX_ENV,
      {
        name: 'MONGO_INITIATOR_ID',
        value: String(primaryCluster(r).ordinalsStart),
      },
      { name: 'MONGO_PORT', value: String(r.port) },
    ],
    volumeMounts: [
      { name: 'replication', mountPath: CONFIG_DIR, readOnly: true },
    ],
  };
}

/** The replica-set ConfigMap and container wiring shared by every MongoDB cluster. */
export function mongodbReplication(
  r: NormalizedRequest,
  labels: Record<string, string>,
): ReplicationWiring {
  const data = {
    [REPLSET_FILES.members]: `${JSON.stringify(
      replicaSetConfig(r),
      null,
      2,
    )}\n`,
    [REPLSET_FILES.script]: replsetScript(CONFIG_DIR),
  };
  const wiring: ContainerWiring = {
    // The image's entrypoint creates the root user on first start, then
    // runs mongod with these arguments.
    command: [
      'bash',
      '-c',
      `install -m 0400 ${SECRET_DIR}/${MONGODB_SECRET_KEYS.keyFile} ${KEYFILE} && exec docker-entrypoint.sh "$@"`,
      'mongod',
    ],
    args: [
      'mongod',
      '--replSet',
      r.name,
      '--bind_ip_all',
      '--port',
      String(r.port),
      '--auth',
      '--keyFile',
      KEYFILE,
    ],
    env: credentialsEnv(r),
    volumes: [
      { name: 'replication' },
      {
        name: 'keyfile',
        secret: credentialsSecretName(r),
        items: [MONGODB_SECRET_KEYS.keyFile],
        defaultMode: 0o400,
      },
    ],
    volumeMounts: [
      { name: 'replication', mountPath: CONFIG_DIR, readOnly: true },
      { name: 'keyfile', mountPath: SECRET_DIR, readOnly: true },
    ],
    podSecurityContext: {
      runAsUser: MONGODB_ID,
      runAsGroup: MONGODB_ID,
      fsGroup: MONGODB_ID,
    },
    sidecars: [replsetContainer(r)],
  };
  return { object: configMap(r, labels, data), wiring };
}
