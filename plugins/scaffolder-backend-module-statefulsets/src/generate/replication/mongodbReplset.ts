/*
 * The mongosh script that forms a MongoDB replica set across clusters and
 * keeps it complete, so no one has to run rs.initiate by hand. Every pod's
 * `replset` container runs it every few seconds against its own mongod; it
 * is idempotent:
 * - while rs.status() reports NotYetInitialized (94), only the designated
 *   member (the primary cluster's first pod) initiates, with itself alone,
 *   and not when another member already answers as part of a set (its own
 *   volume was lost: the set adds it back and it resyncs);
 * - on the current primary, each member of replicaset.json that is missing
 *   from the set is added once it answers, one per run: a reconfiguration
 *   may add only one voting member at a time.
 * The script has no generated values: replicaset.json (the members) and the
 * environment (POD_INDEX, MONGO_INITIATOR_ID, MONGO_PORT, the root user)
 * carry them.
 */

/** File names of the script and the members it reads, inside the replication ConfigMap. */
export const REPLSET_FILES = {
  script: 'replset.js',
  members: 'replicaset.json',
} as const;

/** The script's text, for the replication ConfigMap. */
export function replsetScript(configDir: string): string {
  return `// Forms the replica set and adds missing members; see replicaset.json.
const fs = require('fs');
const NOT_YET_INITIALIZED = 94;
const PRIMARY = 1;
const env = process.env;
const wanted = JSON.parse(
  fs.readFileSync('${configDir}/${REPLSET_FILES.members}', 'utf8'),
);
const selfId = Number(env.POD_INDEX);
const self = wanted.members.find(m => m._id === selfId);

// hello needs no authentication: does the member answer, and in which set?
function hello(host) {
  try {
    const uri = 'mongodb://' + host + '/?directConnection=true' +
      '&serverSelectionTimeoutMS=3000&connectTimeoutMS=3000';
    return new Mongo(uri).getDB('admin').runCommand({ hello: 1 });
  } catch (e) {
    return undefined;
  }
}

function initiate() {
  if (selfId !== Number(env.MONGO_INITIATOR_ID)) {
    print('member ' + selfId + ' waits for the primary to add it');
    return;
  }
  const inSet = wanted.members
    .filter(m => m._id !== selfId)
    .find(m => (hello(m.host) || {}).setName);
  if (inSet) {
    print(inSet.host + ' already belongs to the set; waiting to be added back');
    return;
  }
  rs.initiate({ _id: wanted._id, members: [self] });
  print('initiated ' + wanted._id + ' with ' + self.host);
}

function addMissing() {
  const current = rs.conf().members;
  const next = wanted.members
    .filter(m => !current.some(c => c._id === m._id || c.host === m.host))
    .find(m => hello(m.host));
  if (next) {
    rs.add(next);
    print('added ' + next.host);
  }
}

function reconcile() {
  let status;
  try {
    status = rs.status();
  } catch (e) {
    if (e.code !== NOT_YET_INITIALIZED) throw e;
    initiate();
    return;
  }
  if (status.myState === PRIMARY) addMissing();
}

if (!self) {
  print('pod ' + env.POD_INDEX + ' is not a member of ' + wanted._id);
} else {
  db = connect('mongodb://127.0.0.1:' + env.MONGO_PORT + '/admin?directConnection=true');
  db.auth(env.MONGO_INITDB_ROOT_USERNAME, env.MONGO_INITDB_ROOT_PASSWORD);
  reconcile();
}
`;
}
