/*
 * Real PostgreSQL servers for tests: a primary and streaming standbys in a
 * temporary directory, on free ports of 127.0.0.1, each standing in for a
 * database pod. Commands run as that pod would run them: `sh` with PGDATA,
 * PGPORT and PGHOST set for its server and the server's tools on PATH, as
 * the `postgres` user (initdb and postgres refuse root).
 */
import { execFileSync, spawn } from 'child_process';
import fs from 'fs';
import net from 'net';
import os from 'os';
import path from 'path';
import { ExecResult } from '../../failover';

/** The newest Debian PostgreSQL's binaries, or undefined when none is installed. */
export function findPostgresBinDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!fs.existsSync(root)) return undefined;
  const versions = fs
    .readdirSync(root)
    .filter(v => fs.existsSync(path.join(root, v, 'bin', 'pg_ctl')))
    .sort((a, b) => Number(b) - Number(a));
  return versions.length ? path.join(root, versions[0], 'bin') : undefined;
}

const asRoot = process.getuid?.() === 0;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

/** One local server, addressed like a database pod. */
export class LocalPostgres {
  readonly #cluster: LocalPostgresCluster;

  constructor(
    readonly name: string,
    readonly dataDir: string,
    readonly port: number,
    cluster: LocalPostgresCluster,
  ) {
    this.#cluster = cluster;
  }

  /** The environment the pod's commands see. */
  get env(): Record<string, string> {
    return {
      PATH: `${this.#cluster.binDir}:/usr/bin:/bin`,
      PGDATA: this.dataDir,
      PGPORT: String(this.port),
      PGHOST: '127.0.0.1',
      PGUSER: 'postgres',
    };
  }

  /** A libpq connection string reaching this server (no password: trust). */
  get conninfo(): string {
    return `host=127.0.0.1 port=${this.port} user=postgres dbname=postgres`;
  }

  /** Runs a command as the pod would (`kubectl exec … -- <command>`). */
  exec(command: string[]): Promise<ExecResult> {
    return this.#cluster.run(command, this.env);
  }

  /** One SQL statement's unaligned output; throws with PostgreSQL's error. */
  async query(sql: string): Promise<string> {
    const r = await this.exec([
      'psql',
      '-XAtq',
      '-v',
      'ON_ERROR_STOP=1',
      '-c',
      sql,
    ]);
    if (r.exitCode !== 0) throw new Error(r.stderr.trim());
    return r.stdout.trim();
  }

  async isInRecovery(): Promise<boolean> {
    return (await this.query('SELECT pg_is_in_recovery()')) === 't';
  }

  async start(): Promise<void> {
    await this.#cluster.must(
      [
        'pg_ctl',
        '-D',
        this.dataDir,
        '-l',
        `${this.dataDir}.log`,
        '-w',
        'start',
      ],
      this.env,
    );
  }

  async stop(mode: 'fast' | 'immediate' = 'fast'): Promise<void> {
    await this.#cluster.run(
      ['pg_ctl', '-D', this.dataDir, '-m', mode, '-w', 'stop'],
      this.env,
    );
  }
}

/** A primary and its standbys in one temporary directory. */
export class LocalPostgresCluster {
  readonly servers: LocalPostgres[] = [];

  private constructor(readonly binDir: string, readonly dir: string) {}

  /** A cluster in a new directory the `postgres` user owns. */
  static create(binDir: string): LocalPostgresCluster {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pg-failover-'));
    if (asRoot) {
      const uid = Number(execFileSync('id', ['-u', 'postgres']).toString());
      const gid = Number(execFileSync('id', ['-g', 'postgres']).toString());
      fs.chownSync(dir, uid, gid);
    }
    return new LocalPostgresCluster(binDir, dir);
  }

  /** Runs a command as `postgres`, with exactly the given environment. */
  run(command: string[], env: Record<string, string>): Promise<ExecResult> {
    const envArgs = Object.entries(env).map(([k, v]) => `${k}=${v}`);
    const argv = [
      ...(asRoot ? ['runuser', '-u', 'postgres', '--'] : []),
      'env',
      '-i',
      ...envArgs,
      ...command,
    ];
    const started = Date.now();
    return new Promise((resolve, reject) => {
      const child = spawn(argv[0], argv.slice(1), { cwd: this.dir });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', d => (stdout += d));
      child.stderr.on('data', d => (stderr += d));
      child.on('error', reject);
      child.on('close', code =>
        resolve({
          exitCode: code ?? 1,
          stdout,
          stderr,
          durationMs: Date.now() - started,
          truncated: false,
        }),
      );
    });
  }

  /** Runs a command that must succeed. */
  async must(command: string[], env: Record<string, string>): Promise<string> {
    const r = await this.run(command, env);
    if (r.exitCode !== 0) {
      throw new Error(`${command.join(' ')} failed: ${r.stderr || r.stdout}`);
    }
    return r.stdout;
  }

  async #server(name: string): Promise<LocalPostgres> {
    const server = new LocalPostgres(
      name,
      path.join(this.dir, name),
      await freePort(),
      this,
    );
    this.servers.push(server);
    return server;
  }

  /** A started primary that accepts replication connections from 127.0.0.1. */
  async startPrimary(name: string): Promise<LocalPostgres> {
    const server = await this.#server(name);
    await this.must(
      ['initdb', '-D', server.dataDir, '-U', 'postgres', '--auth=trust'],
      server.env,
    );
    // Shared by every server (pg_rewind copies it): the port comes from PGPORT.
    fs.appendFileSync(
      path.join(server.dataDir, 'postgresql.conf'),
      `listen_addresses = '127.0.0.1'\nunix_socket_directories = '${this.dir}'\nwal_log_hints = on\n`,
    );
    fs.appendFileSync(
      path.join(server.dataDir, 'pg_hba.conf'),
      'host replication all 127.0.0.1/32 trust\n',
    );
    await server.start();
    return server;
  }

  /** A started standby streaming from `primary` (pg_basebackup -R). */
  async startStandby(
    name: string,
    primary: LocalPostgres,
  ): Promise<LocalPostgres> {
    const server = await this.#server(name);
    await this.must(
      [
        'pg_basebackup',
        '-d',
        primary.conninfo,
        '-D',
        server.dataDir,
        '-R',
        '-X',
        'stream',
      ],
      server.env,
    );
    await server.start();
    return server;
  }

  /** Stops every server and removes the directory. */
  async destroy(): Promise<void> {
    for (const server of this.servers) await server.stop('immediate');
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
