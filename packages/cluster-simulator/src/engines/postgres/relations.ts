/*
 * The system views a SELECT can read in the emulated PostgreSQL:
 * pg_stat_activity (the session itself), pg_stat_replication (the standbys
 * streaming from the server) and pg_stat_wal_receiver (a standby's stream).
 */
import { Lsn, PgError, Timestamp, Value } from './expr';
import type { PgSession } from './sql';
import { PgState, positionAt, streamingFrom } from './state';

/** The rows of a relation, each keyed by column. */
export interface Relation {
  columns: string[];
  rows: Array<Record<string, Value>>;
}

/** The host, port and user of a libpq connection string. */
export function hostOf(conninfo: string): {
  host: string;
  port: number;
  user: string;
} {
  const uri =
    /^postgres(?:ql)?:\/\/(?:([^@/:]*)(?::[^@/]*)?@)?([^:/?]*)(?::(\d+))?/.exec(
      conninfo.trim(),
    );
  if (uri) {
    return {
      host: uri[2],
      port: Number(uri[3] ?? 5432),
      user: uri[1] || 'postgres',
    };
  }
  const kv = Object.fromEntries(
    [...conninfo.matchAll(/(\w+)\s*=\s*('(?:[^'\\]|\\.)*'|\S+)/g)].map(m => [
      m[1],
      m[2].replace(/^'(.*)'$/, '$1'),
    ]),
  );
  return {
    host: kv.host ?? '',
    port: Number(kv.port ?? 5432),
    user: kv.user ?? 'postgres',
  };
}

/** A relation by name, as the session's server sees it now. */
export function relationRows(
  name: string,
  session: PgSession,
  s: PgState,
): Relation {
  const { host } = session;
  const now = host.now();
  switch (name.replace(/^pg_catalog\./, '')) {
    case 'pg_stat_activity':
      return {
        columns: [
          'pid',
          'usename',
          'datname',
          'application_name',
          'backend_type',
          'state',
          'query',
        ],
        rows: [
          {
            pid: session.pid,
            usename: session.user,
            datname: 'postgres',
            application_name: 'psql',
            backend_type: 'client backend',
            state: 'active',
            query: '',
          },
        ],
      };
    case 'pg_stat_replication': {
      const lsn = s.inRecovery ? undefined : positionAt(s, host, now).lsn;
      const rows = (host.downstreams?.() ?? []).map((d, i) => {
        const at = new Lsn(d.lsn);
        return {
          pid: 200 + i,
          usename: hostOf(d.conninfo).user,
          application_name: d.hostname,
          client_addr: null,
          state: 'streaming',
          sent_lsn: lsn !== undefined ? new Lsn(lsn) : at,
          write_lsn: at,
          flush_lsn: at,
          replay_lsn: at,
          write_lag: null,
          flush_lag: null,
          replay_lag: null,
          sync_state: 'async',
        } as Record<string, Value>;
      });
      return {
        columns: [
          'pid',
          'usename',
          'application_name',
          'client_addr',
          'state',
          'sent_lsn',
          'write_lsn',
          'flush_lsn',
          'replay_lsn',
          'write_lag',
          'flush_lag',
          'replay_lag',
          'sync_state',
        ],
        rows,
      };
    }
    case 'pg_stat_wal_receiver': {
      const up = streamingFrom(s, host);
      const columns = [
        'pid',
        'status',
        'received_lsn',
        'received_tli',
        'last_msg_receipt_time',
        'sender_host',
        'sender_port',
        'conninfo',
      ];
      if (!up) return { columns, rows: [] };
      const { host: sender, port } = hostOf(up.conninfo);
      return {
        columns,
        rows: [
          {
            pid: 150,
            status: 'streaming',
            received_lsn: new Lsn(up.position.lsn),
            received_tli: up.position.timeline,
            last_msg_receipt_time: new Timestamp(now),
            sender_host: sender,
            sender_port: port,
            conninfo: up.conninfo,
          },
        ],
      };
    }
    default:
      throw new PgError(
        `relation "${name}" does not exist`,
        `The simulator's PostgreSQL has no tables to read; it answers pg_stat_activity, pg_stat_replication and pg_stat_wal_receiver.`,
      );
  }
}
