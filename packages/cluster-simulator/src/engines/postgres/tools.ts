/*
 * The server tools of the emulated PostgreSQL: `pg_ctl`
 * (status/stop/start/restart/promote/reload), `pg_rewind` (rewinds a
 * stopped server's data directory to a source's timeline, writing
 * standby.signal and primary_conninfo with --write-recovery-conf) and
 * `pg_isready`, with the messages and exit codes of the real tools.
 */
import type { ProgramIo } from '../programs';
import {
  CHECKPOINT_BYTES,
  divergence,
  formatLsn,
  isRunning,
  materialize,
  PgHost,
  PgState,
  promoted,
  reloaded,
  withWal,
  withWriteClock,
} from './state';

/** The value of `--name=value`, `--name value`, `-x value` or `-xvalue`. */
function option(
  args: string[],
  long: string,
  short?: string,
): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === `--${long}` || (short && a === `-${short}`)) return args[i + 1];
    if (a.startsWith(`--${long}=`)) return a.slice(long.length + 3);
    if (short && a.startsWith(`-${short}`) && a.length > 2) return a.slice(2);
  }
  return undefined;
}

function stopped(s: PgState, host: PgHost, now: number): PgState {
  const next = materialize(s, host, now);
  // A primary's shutdown checkpoint is a WAL record of its own; a standby's is a restartpoint.
  const wal = next.inRecovery ? next : withWal(next, CHECKPOINT_BYTES);
  // The walsenders hand the standbys streaming from it all its WAL, the
  // shutdown checkpoint included, before the server exits: a standby then
  // stands past a fork of that timeline and needs pg_rewind to follow another.
  for (const d of host.downstreams?.() ?? []) {
    const theirs = materialize(d.host.load(), d.host, now);
    d.host.save({
      ...theirs,
      timeline: wal.timeline,
      history: wal.history,
      lsn: wal.lsn,
    });
  }
  return {
    ...wal,
    checkpoint: next.lsn,
    stoppedInPod: host.podUid,
    writesSinceMs: undefined,
  };
}

function started(s: PgState, now: number): PgState {
  const { stoppedInPod: _was, ...rest } = s;
  return reloaded({ ...rest, inRecovery: s.standbySignal }, now);
}

/** `pg_ctl <command> -D <datadir> [-m mode] [-w] [-t secs] [-l log]`. */
export async function pgCtl(
  args: string[],
  io: ProgramIo,
  host: PgHost,
  env: Record<string, string>,
): Promise<number> {
  const command = args.find(
    a =>
      !a.startsWith('-') &&
      ['start', 'stop', 'restart', 'status', 'promote', 'reload'].includes(a),
  );
  const dataDir = option(args, 'pgdata', 'D') ?? env.PGDATA;
  if (!command) {
    io.stderr(
      'pg_ctl: no operation specified\nTry "pg_ctl --help" for more information.\n',
    );
    return 1;
  }
  if (!dataDir) {
    io.stderr(
      'pg_ctl: no database directory specified and environment variable PGDATA unset\nTry "pg_ctl --help" for more information.\n',
    );
    return 1;
  }
  const now = host.now();
  const s = host.load();
  const running = isRunning(s, host);
  const notRunning = () => {
    io.stderr(
      `pg_ctl: PID file "${dataDir}/postmaster.pid" does not exist\nIs server running?\n`,
    );
    return command === 'status' ? 3 : 1;
  };
  switch (command) {
    case 'status':
      if (!running) {
        io.stdout('pg_ctl: no server running\n');
        return 3;
      }
      io.stdout(
        `pg_ctl: server is running (PID: 1)\n/usr/lib/postgresql/${
          (s.version ?? '17').split('.')[0]
        }/bin/postgres\n`,
      );
      return 0;
    case 'stop':
      if (!running) return notRunning();
      host.save(stopped(s, host, now));
      io.stdout('waiting for server to shut down.... done\nserver stopped\n');
      return 0;
    case 'start':
      if (running) {
        io.stderr(
          `pg_ctl: another server might be running; trying to start server anyway\n`,
        );
        io.stderr(`FATAL:  lock file "postmaster.pid" already exists\n`);
        io.stderr('pg_ctl: could not start server\nExamine the log output.\n');
        return 1;
      }
      host.save(started(s, now));
      io.stdout('waiting for server to start.... done\nserver started\n');
      return 0;
    case 'restart':
      host.save(started(running ? stopped(s, host, now) : s, now));
      io.stdout(
        `${
          running
            ? 'waiting for server to shut down.... done\nserver stopped\n'
            : ''
        }waiting for server to start.... done\nserver started\n`,
      );
      return 0;
    case 'reload':
      if (!running) return notRunning();
      host.save(reloaded(materialize(s, host, now), now));
      io.stdout('server signaled\n');
      return 0;
    default:
      if (!running) return notRunning();
      if (!s.inRecovery) {
        io.stderr(
          'pg_ctl: cannot promote server; server is not in standby mode\n',
        );
        return 1;
      }
      host.save(promoted(materialize(s, host, now), now));
      io.stdout('waiting for server to promote.... done\nserver promoted\n');
      return 0;
  }
}

/** `pg_rewind --target-pgdata=<dir> --source-server=<conninfo> [--write-recovery-conf]`. */
export async function pgRewind(
  args: string[],
  io: ProgramIo,
  host: PgHost,
  env: Record<string, string>,
): Promise<number> {
  const dataDir = option(args, 'target-pgdata', 'D') ?? env.PGDATA;
  const source = option(args, 'source-server');
  const writeConf = args.some(a => a === '-R' || a === '--write-recovery-conf');
  const dryRun = args.some(a => a === '-n' || a === '--dry-run');
  const fail = (message: string) => {
    io.stderr(`pg_rewind: error: ${message}\n`);
    return 1;
  };
  if (!dataDir)
    return fail('no target data directory specified (--target-pgdata)');
  if (!source) {
    return fail(
      "no source specified (--source-pgdata or --source-server); the simulator's pg_rewind takes --source-server",
    );
  }
  const s = host.load();
  if (isRunning(s, host))
    return fail('target server must be shut down cleanly');
  const up = host.upstream(source);
  if (!up.ok) return fail(`connection to server failed: ${up.error}`);
  if (up.systemId !== s.systemId)
    return fail('source and target clusters are from different systems');
  const fork = divergence(s, up.position);
  if (!fork)
    return fail(
      "could not find common ancestor of the source and target cluster's timelines",
    );
  let next: PgState = s;
  if (s.timeline === up.position.timeline || s.lsn <= fork.at) {
    io.stderr(
      s.timeline === up.position.timeline
        ? 'pg_rewind: source and target cluster are on the same timeline\npg_rewind: no rewind required\n'
        : `pg_rewind: servers diverged at WAL location ${formatLsn(
            fork.at,
          )} on timeline ${fork.tli}\npg_rewind: no rewind required\n`,
    );
  } else {
    const common = Math.min(s.checkpoint, fork.at);
    io.stderr(
      `pg_rewind: servers diverged at WAL location ${formatLsn(
        fork.at,
      )} on timeline ${fork.tli}\n` +
        `pg_rewind: rewinding from last common checkpoint at ${formatLsn(
          common,
        )} on timeline ${fork.tli}\n` +
        'pg_rewind: Done!\n',
    );
    // The data directory is now the source's, configuration files included.
    next = {
      ...s,
      ...up.position,
      checkpoint: common,
      autoConf: up.autoConf ?? s.autoConf,
    };
  }
  if (writeConf) {
    next = {
      ...next,
      standbySignal: true,
      autoConf: { ...next.autoConf, primary_conninfo: source },
    };
  }
  if (!dryRun) host.save(withWriteClock(next, host.now()));
  return 0;
}

/** `pg_isready`: whether the server accepts connections. */
export async function pgIsReady(
  _args: string[],
  io: ProgramIo,
  host: PgHost,
): Promise<number> {
  if (!isRunning(host.load(), host)) {
    io.stdout('/var/run/postgresql:5432 - no response\n');
    return 2;
  }
  io.stdout('/var/run/postgresql:5432 - accepting connections\n');
  return 0;
}
