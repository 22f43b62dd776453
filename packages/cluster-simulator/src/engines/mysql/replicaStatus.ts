/*
 * SHOW REPLICA STATUS: every column of MySQL 8.4 in its order (so the `-N`
 * tab form can be read by position), filled from the emulated state.
 */
import {
  MysqlHost,
  MysqlState,
  executedAt,
  replicaLagOf,
  replicaView,
} from './state';
import type { ResultSet } from './sqlTypes';

const COLUMNS = [
  'Replica_IO_State',
  'Source_Host',
  'Source_User',
  'Source_Port',
  'Connect_Retry',
  'Source_Log_File',
  'Read_Source_Log_Pos',
  'Relay_Log_File',
  'Relay_Log_Pos',
  'Relay_Source_Log_File',
  'Replica_IO_Running',
  'Replica_SQL_Running',
  'Replicate_Do_DB',
  'Replicate_Ignore_DB',
  'Replicate_Do_Table',
  'Replicate_Ignore_Table',
  'Replicate_Wild_Do_Table',
  'Replicate_Wild_Ignore_Table',
  'Last_Errno',
  'Last_Error',
  'Skip_Counter',
  'Exec_Source_Log_Pos',
  'Relay_Log_Space',
  'Until_Condition',
  'Until_Log_File',
  'Until_Log_Pos',
  'Source_SSL_Allowed',
  'Source_SSL_CA_File',
  'Source_SSL_CA_Path',
  'Source_SSL_Cert',
  'Source_SSL_Cipher',
  'Source_SSL_Key',
  'Seconds_Behind_Source',
  'Source_SSL_Verify_Server_Cert',
  'Last_IO_Errno',
  'Last_IO_Error',
  'Last_SQL_Errno',
  'Last_SQL_Error',
  'Replicate_Ignore_Server_Ids',
  'Source_Server_Id',
  'Source_UUID',
  'Source_Info_File',
  'SQL_Delay',
  'SQL_Remaining_Delay',
  'Replica_SQL_Running_State',
  'Source_Retry_Count',
  'Source_Bind',
  'Last_IO_Error_Timestamp',
  'Last_SQL_Error_Timestamp',
  'Source_SSL_Crl',
  'Source_SSL_Crlpath',
  'Retrieved_Gtid_Set',
  'Executed_Gtid_Set',
  'Auto_Position',
  'Replicate_Rewrite_DB',
  'Channel_Name',
  'Source_TLS_Version',
  'Source_public_key_path',
  'Get_Source_public_key',
  'Network_Namespace',
];

/** The one-row result (or the empty set when no source is configured). */
export function replicaStatus(s: MysqlState, host: MysqlHost): ResultSet {
  if (!s.source) return { columns: COLUMNS, rows: [] };
  const src = s.source;
  const view = replicaView(s, host);
  const running = s.replicaRunning;
  let ioRunning = 'No';
  if (running) ioRunning = view.ok ? 'Yes' : 'Connecting';
  const ioError =
    running && !view.ok
      ? `Error connecting to source '${src.user}@${src.host}:${src.port}'. This was attempt 1/86400, with a delay of 60 seconds between attempts. Message: Can't connect to MySQL server on '${src.host}:${src.port}' (111)`
      : '';
  const executed = executedAt(s, host, host.now());
  const lag = replicaLagOf(s, host);
  const values: Record<string, string | null> = {
    Replica_IO_State:
      { No: '', Yes: 'Waiting for source to send event' }[ioRunning] ??
      'Connecting to source',
    Source_Host: src.host,
    Source_User: src.user,
    Source_Port: String(src.port),
    Connect_Retry: '60',
    Source_Log_File: view.ok ? 'binlog.000001' : '',
    Read_Source_Log_Pos: '4',
    Relay_Log_File: `${host.hostname}-relay-bin.000001`,
    Relay_Log_Pos: '4',
    Relay_Source_Log_File: view.ok ? 'binlog.000001' : '',
    Replica_IO_Running: ioRunning,
    Replica_SQL_Running: running ? 'Yes' : 'No',
    Last_Errno: '0',
    Last_Error: '',
    Skip_Counter: '0',
    Exec_Source_Log_Pos: '4',
    Relay_Log_Space: '157',
    Until_Condition: 'None',
    Until_Log_Pos: '0',
    Source_SSL_Allowed: 'No',
    Seconds_Behind_Source: 'lagSeconds' in lag ? String(lag.lagSeconds) : null,
    Source_SSL_Verify_Server_Cert: 'No',
    Last_IO_Errno: ioError ? '2003' : '0',
    Last_IO_Error: ioError,
    Last_SQL_Errno: '0',
    Last_SQL_Error: '',
    Source_Server_Id: view.ok ? String(view.serverId) : '0',
    Source_UUID: view.ok ? view.serverUuid : '',
    Source_Info_File: 'mysql.slave_master_info',
    SQL_Delay: '0',
    SQL_Remaining_Delay: null,
    Replica_SQL_Running_State: running
      ? 'Replica has read all relay log; waiting for more updates'
      : '',
    Source_Retry_Count: '86400',
    Retrieved_Gtid_Set: view.ok ? view.executed : '',
    Executed_Gtid_Set: executed,
    Auto_Position: src.autoPosition ? '1' : '0',
    Get_Source_public_key: '0',
    Channel_Name: s.channel ?? '',
  };
  return {
    columns: COLUMNS,
    rows: [COLUMNS.map(c => (c in values ? values[c] : ''))],
  };
}
