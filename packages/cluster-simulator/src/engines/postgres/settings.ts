/*
 * The settings the emulated PostgreSQL reports when nothing set them
 * (postgresql.conf of the images' defaults, with what streaming replication
 * and pg_rewind need turned on).
 */
import type { PgState } from './state';

/** Defaults of the settings SHOW and current_setting() answer. */
export const SETTING_DEFAULTS: Record<string, string> = {
  default_transaction_read_only: 'off',
  primary_conninfo: '',
  wal_level: 'replica',
  wal_log_hints: 'on',
  hot_standby: 'on',
  max_wal_senders: '10',
  max_connections: '100',
  port: '5432',
  synchronous_commit: 'on',
  synchronous_standby_names: '',
  recovery_target_timeline: 'latest',
  listen_addresses: '*',
  data_checksums: 'off',
  server_encoding: 'UTF8',
  timezone: 'Etc/UTC',
};

/** The server's version, from its image's tag (major only when the tag names no minor). */
export function serverVersion(s: Pick<PgState, 'version'>): string {
  return s.version ?? '17.2';
}

/** The version an image's tag names (`postgres:16` → 16.6, `bitnami/postgresql:15.4.0` → 15.4). */
export function versionOfImage(image: string): string | undefined {
  const tag = /:(\d+)(?:\.(\d+))?/.exec(
    image.split('@')[0].replace(/^[^/]*\//, ''),
  );
  if (!tag) return undefined;
  return `${tag[1]}.${tag[2] ?? '0'}`;
}
