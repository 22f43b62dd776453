import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { demoClusters } from '../../__fixtures__/clusters';
import { goldenCases } from '../__fixtures__/cases';
import { generateManifests } from '../generateManifests';
import { podAddress } from '../naming';
import { GenerateRequest, KubeObject } from '../types';
import { validateRequest } from '../validateRequest';

const ROOT_PASSWORD = 'root-secret-1';
const REPLICATION_PASSWORD = 'repl-secret-2';

// A stand-in for the mysql client: it answers the join script's questions
// from the environment (the local server's and the donor's GTID sets,
// whether the channel exists) and logs every statement with the server it
// went to, and the user and password it got from the option file. After a
// CLONE the local server is down, as a real recipient without a supervisor.
const FAKE_MYSQL = `#!/bin/bash
host=local; query=; prev=; user=; password=
for a in "$@"; do
  case "$a" in
    -h127.0.0.1) host=local ;;
    -h*) host=\${a#-h} ;;
    --defaults-extra-file=*)
      options=$(cat "\${a#*=}")
      user=$(sed -n 's/^user=//p' <<< "$options")
      password=$(sed -n 's/^password="\\(.*\\)"$/\\1/p' <<< "$options") ;;
  esac
  [ "$prev" = -e ] && query=$a
  prev=$a
done
echo "ARGS $*" >> "$FAKE_LOG"
[ "$host" = local ] && [ -f "$FAKE_DIR/down" ] && exit 1
[ -n "$query" ] || query=$(cat)
echo "SQL[$host as $user:$password] $query" >> "$FAKE_LOG"
case "$query" in
  *gtid_executed*) if [ "$host" = local ]; then echo "$LOCAL_GTID"; else echo "$DONOR_GTID"; fi ;;
  *replication_connection_configuration*) [ -n "$HAS_CHANNEL" ] && echo 1 ;;
  *"CLONE INSTANCE"*) touch "$FAKE_DIR/down"; exit 1 ;;
  "SELECT 1") echo 1 ;;
esac
exit 0
`;

interface ServerState {
  localGtid?: string;
  donorGtid?: string;
  hasChannel?: boolean;
}

/** Runs a cluster's join script as `pod` would, returning what it sent to servers. */
function runJoin(script: string, pod: string, state: ServerState = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'mysql-join-'));
  try {
    writeFileSync(join(dir, 'mysql'), FAKE_MYSQL, { mode: 0o755 });
    writeFileSync(join(dir, 'join.sh'), script);
    const log = join(dir, 'log');
    writeFileSync(log, '');
    execFileSync('bash', [join(dir, 'join.sh')], {
      env: {
        PATH: `${dir}:${process.env.PATH}`,
        POD_NAME: pod,
        MYSQL_ROOT_PASSWORD: ROOT_PASSWORD,
        REPLICATION_PASSWORD,
        FAKE_LOG: log,
        FAKE_DIR: dir,
        LOCAL_GTID: state.localGtid ?? '',
        DONOR_GTID: state.donorGtid ?? '',
        HAS_CHANNEL: state.hasChannel ? '1' : '',
      },
      stdio: ['ignore', 'ignore', 'ignore'],
      timeout: 10_000,
    });
    const lines = readFileSync(log, 'utf8').split('\n');
    return {
      args: lines.filter(l => l.startsWith('ARGS ')).join('\n'),
      sql: lines.filter(l => !l.startsWith('ARGS ')).join('\n'),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const sourceHosts = (sql: string) =>
  [...sql.matchAll(/CHANGE REPLICATION SOURCE TO SOURCE_HOST='([^']+)'/g)].map(
    m => m[1],
  );
const setsReadOnly = (sql: string) =>
  sql.includes('SET PERSIST super_read_only=ON');

interface PodSpec {
  containers: Array<{
    command: string[];
    env: Array<{ name: string }>;
    volumeMounts: Array<{ name: string; mountPath: string; subPath?: string }>;
  }>;
  volumes: Array<{
    name: string;
    configMap?: { items: Array<{ key: string }> };
  }>;
}

const mysqlCases = goldenCases.filter(c => c.request.engine === 'mysql');

describe.each(mysqlCases.map(c => [c.id, c] as const))('%s', (_id, c) => {
  const result = generateManifests(c.request, demoClusters);
  const r = validateRequest(c.request, demoClusters);
  const find = (cluster: string, kind: string, name: string) =>
    result.objects.find(
      o =>
        o.path.startsWith(`clusters/${cluster}/`) &&
        o.object.kind === kind &&
        o.object.metadata.name === name,
    )?.object as KubeObject & Record<string, any>;
  const scriptOf = (cluster: string) =>
    find(cluster, 'ConfigMap', `${r.name}-replication`).data['join.sh'];
  const podSpecOf = (cluster: string): PodSpec =>
    find(cluster, 'StatefulSet', r.name).spec.template.spec;
  const pods = (cluster: (typeof r.clusters)[number]) =>
    Array.from(
      { length: cluster.replicas },
      (_, i) => `${r.name}-${cluster.ordinalsStart + i}`,
    );
  const localAddress = (pod: string) =>
    `${pod}.${r.name}-headless.${r.namespace}.svc.cluster.local`;

  // One run of the join script per pod, as each pod's start would run it.
  it('puts every pod in the topology, only active primaries writable', () => {
    for (const cluster of r.clusters) {
      const sources = r.clusters.filter(o =>
        cluster.role === 'passive'
          ? o.role === 'active'
          : r.strategy === 'active-active' && o.name !== cluster.name,
      );
      const [primary] = pods(cluster);
      pods(cluster).forEach((pod, i) => {
        const { sql } = runJoin(scriptOf(cluster.name), pod);
        const expected =
          i === 0
            ? sources.map(s => podAddress(r, s, pods(s)[0]))
            : [localAddress(primary)];
        const writable = i === 0 && cluster.role === 'active';
        expect({
          pod,
          sources: sourceHosts(sql),
          readOnly: setsReadOnly(sql),
        }).toEqual({ pod, sources: expected, readOnly: !writable });
      });
    }
  }, 60_000);

  it('sends client writes to the primary pod alone, reads to any pod', () => {
    for (const cluster of r.clusters) {
      expect(find(cluster.name, 'Service', r.name).spec.selector).toEqual({
        'app.kubernetes.io/name': r.name,
        'app.kubernetes.io/instance': r.name,
        'statefulset.kubernetes.io/pod-name': pods(cluster)[0],
      });
      expect(
        find(cluster.name, 'Service', `${r.name}-read`).spec.selector,
      ).toEqual({
        'app.kubernetes.io/name': r.name,
        'app.kubernetes.io/instance': r.name,
      });
    }
  });

  it('keeps the data directory below the volume root', () => {
    for (const cluster of r.clusters) {
      const container = podSpecOf(cluster.name).containers[0];
      const data = container.volumeMounts.find(m => m.name === 'data')!;
      expect(data.mountPath).toBe('/var/lib/mysql');
      expect(container.command.join(' ')).toContain(
        'mysqld --datadir=/var/lib/mysql/data ',
      );
    }
  });

  it('joins the topology on every start, not from the first-run scripts', () => {
    for (const cluster of r.clusters) {
      const spec = podSpecOf(cluster.name);
      const container = spec.containers[0];
      expect(container.command.join(' ')).toMatch(
        /^sh -c bash \/etc\/mysql\/replication\/join\.sh & exec docker-entrypoint\.sh mysqld /,
      );
      expect(container.volumeMounts).toContainEqual({
        name: 'replication-join',
        mountPath: '/etc/mysql/replication',
      });
      const firstRun = spec.volumes.find(v => v.name === 'replication-init')!;
      expect(firstRun.configMap!.items.map(i => i.key)).toEqual([
        '10-replication-user.sh',
      ]);
      expect(container.env.map(e => e.name)).toEqual(
        expect.arrayContaining(['POD_NAME', 'POD_INDEX']),
      );
    }
  });
});

describe('the join script of a passive cluster', () => {
  const request = mysqlCases.find(
    c => c.id === 'mysql-active-passive-none-mcs',
  )!.request as GenerateRequest;
  const result = generateManifests(request, demoClusters);
  const configMap = (cluster: string) =>
    result.objects.find(
      o =>
        o.path === `clusters/${cluster}/replication-configmap.yaml` &&
        o.object.kind === 'ConfigMap',
    )!.object as KubeObject & { data: Record<string, string> };
  const script = configMap('eu-west').data['join.sh'];
  const source =
    'mysql-db-0.eu-central.mysql-db-headless.data.svc.clusterset.local';

  it('clones an empty server from its source when the source has data, then restarts', () => {
    const { sql } = runJoin(script, 'mysql-db-3', {
      donorGtid: 'a1b2:1-42',
    });
    expect(sql).toContain(
      `SQL[${source} as replicator:${REPLICATION_PASSWORD}] SELECT @@GLOBAL.gtid_executed`,
    );
    expect(sql).toContain(
      `SET GLOBAL clone_valid_donor_list='${source}:3306';`,
    );
    expect(sql).toContain(
      `CLONE INSTANCE FROM 'replicator'@'${source}':3306 IDENTIFIED BY '${REPLICATION_PASSWORD}' REQUIRE SSL;`,
    );
    // The channel is added on the next start, over the cloned data.
    expect(sourceHosts(sql)).toEqual([]);
  });

  it('re-seeds a replica whose volume was lost from its own cluster primary', () => {
    const { sql } = runJoin(script, 'mysql-db-4', { donorGtid: 'a1b2:1-42' });
    expect(sql).toContain(
      "CLONE INSTANCE FROM 'replicator'@'mysql-db-3.mysql-db-headless.data.svc.cluster.local':3306",
    );
  });

  it('adds the channel without a clone when the source is new too', () => {
    const { sql } = runJoin(script, 'mysql-db-3');
    expect(sql).not.toContain('CLONE INSTANCE');
    expect(sql).toContain(
      `CHANGE REPLICATION SOURCE TO SOURCE_HOST='${source}', SOURCE_PORT=3306, SOURCE_USER='replicator', SOURCE_PASSWORD='${REPLICATION_PASSWORD}', SOURCE_AUTO_POSITION=1, SOURCE_SSL=1 FOR CHANNEL 'eu-central';`,
    );
    expect(sql).toContain("START REPLICA FOR CHANNEL 'eu-central';");
  });

  it('leaves an existing channel as it is, on a server with data', () => {
    const { sql } = runJoin(script, 'mysql-db-3', {
      localGtid: 'a1b2:1-42',
      donorGtid: 'a1b2:1-50',
      hasChannel: true,
    });
    expect(sql).not.toContain('CLONE INSTANCE');
    expect(sourceHosts(sql)).toEqual([]);
    expect(setsReadOnly(sql)).toBe(true);
  });

  it('passes passwords in option files, never on a command line', () => {
    const { args, sql } = runJoin(script, 'mysql-db-3', {
      donorGtid: 'a1b2:1-42',
    });
    expect(sql).toContain(`SQL[local as root:${ROOT_PASSWORD}]`);
    expect(args).not.toContain(ROOT_PASSWORD);
    expect(args).not.toContain(REPLICATION_PASSWORD);
    // Nor in the manifests, as `-p"$MYSQL_ROOT_PASSWORD"` would put it.
    expect(JSON.stringify(result.objects)).not.toMatch(/ -p\W*\$/);
  });

  it('grants the replication user what a clone donor needs', () => {
    expect(configMap('eu-west').data['10-replication-user.sh']).toContain(
      "GRANT REPLICATION SLAVE, BACKUP_ADMIN ON *.* TO 'replicator'@'%';",
    );
    expect(configMap('eu-west').data['replication.cnf']).toContain(
      'plugin_load_add=mysql_clone.so',
    );
  });
});
