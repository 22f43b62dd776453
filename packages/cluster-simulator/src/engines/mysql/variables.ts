/*
 * System variables: what `SELECT @@x` reads and `SET GLOBAL x = v` writes,
 * with MySQL's coupling of read_only and super_read_only.
 */
import {
  MysqlHost,
  MysqlState,
  executedAt,
  materialize,
  withWriteClock,
} from './state';
import { SqlError } from './sqlTypes';

/** The server version the emulator claims. */
export const MYSQL_VERSION = '8.4.3';

const READ_ONLY_VARS = new Set([
  'gtid_executed',
  'server_uuid',
  'server_id',
  'hostname',
  'version',
  'port',
  'gtid_mode',
  'enforce_gtid_consistency',
  'log_bin',
]);

function unknownVariable(name: string): SqlError {
  return new SqlError(1193, 'HY000', `Unknown system variable '${name}'`);
}

/** The value of a system variable (booleans as 0/1, as SELECT shows them). */
export function readVariable(
  name: string,
  s: MysqlState,
  host: MysqlHost,
): string {
  switch (name.toLowerCase()) {
    case 'server_uuid':
      return s.serverUuid;
    case 'server_id':
      return String(s.serverId);
    case 'read_only':
      return s.readOnly ? '1' : '0';
    case 'super_read_only':
      return s.superReadOnly ? '1' : '0';
    case 'gtid_executed':
      return executedAt(s, host, host.now());
    case 'gtid_mode':
    case 'enforce_gtid_consistency':
      return 'ON';
    case 'log_bin':
      return '1';
    case 'hostname':
      return host.hostname;
    case 'port':
      return '3306';
    case 'version':
      return MYSQL_VERSION;
    default:
      throw unknownVariable(name);
  }
}

/** The variables SHOW VARIABLES lists. */
export const SHOWN_VARIABLES = [
  'enforce_gtid_consistency',
  'gtid_executed',
  'gtid_mode',
  'hostname',
  'log_bin',
  'port',
  'read_only',
  'server_id',
  'server_uuid',
  'super_read_only',
  'version',
];

/** SHOW VARIABLES prints booleans as ON/OFF. */
export function shownValue(
  name: string,
  s: MysqlState,
  host: MysqlHost,
): string {
  const v = readVariable(name, s, host);
  if (['read_only', 'super_read_only', 'log_bin'].includes(name))
    return v === '1' ? 'ON' : 'OFF';
  return v;
}

function parseBool(name: string, raw: string): boolean {
  const v = raw
    .trim()
    .replace(/^'(.*)'$/, '$1')
    .toUpperCase();
  if (['ON', '1', 'TRUE'].includes(v)) return true;
  if (['OFF', '0', 'FALSE'].includes(v)) return false;
  throw new SqlError(
    1231,
    '42000',
    `Variable '${name}' can't be set to the value of '${raw.trim()}'`,
  );
}

/** `SET GLOBAL name = value` on a state; returns the changed state. */
export function setVariable(
  rawName: string,
  value: string,
  s: MysqlState,
  host: MysqlHost,
): MysqlState {
  const name = rawName.toLowerCase();
  if (READ_ONLY_VARS.has(name))
    throw new SqlError(
      1238,
      'HY000',
      `Variable '${name}' is a read only variable`,
    );
  if (name !== 'read_only' && name !== 'super_read_only')
    throw unknownVariable(name);
  const on = parseBool(name, value);
  let next = materialize(s, host, host.now());
  if (name === 'super_read_only') {
    next = { ...next, superReadOnly: on, readOnly: on ? true : next.readOnly };
  } else {
    next = {
      ...next,
      readOnly: on,
      superReadOnly: on ? next.superReadOnly : false,
    };
  }
  return withWriteClock(next, host.now());
}
