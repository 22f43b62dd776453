/*
 * The building blocks of Table printers: column definitions and the cell
 * formats kubectl users recognise, such as ages in kubectl's short form.
 */

/** A Table column definition. */
export interface ColumnDefinition {
  name: string;
  type: string;
  format: string;
  description: string;
  priority: number;
}

/** One cell of a Table row. */
export type Cell = string | number | boolean | null;

/** How a kind prints: its columns and the cells of one object. */
export interface Printer {
  columns: ColumnDefinition[];
  cells(o: any, now: number): Cell[];
}

/** A column definition with the defaults upstream printers use. */
export function col(
  name: string,
  type = 'string',
  priority = 0,
  format = '',
): ColumnDefinition {
  return { name, type, format, description: name, priority };
}

/** The Name column every printer starts with. */
export const nameCol = col('Name', 'string', 0, 'name');

/** kubectl's short human duration (`5s`, `3m20s`, `2d4h`, …). */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 60 * 2) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 60 * 3) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) {
    const h = hours % 24;
    return h === 0
      ? `${Math.floor(hours / 24)}d`
      : `${Math.floor(hours / 24)}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24)}d`;
  if (hours < 24 * 365 * 8) {
    const y = Math.floor(hours / 24 / 365);
    const d = Math.floor(hours / 24) % 365;
    return d === 0 ? `${y}y` : `${y}y${d}d`;
  }
  return `${Math.floor(hours / 24 / 365)}y`;
}

/** The Age cell: time since the object was created. */
export function age(o: any, now: number): string {
  const ts = o.metadata?.creationTimestamp;
  return ts ? humanDuration(now - Date.parse(ts)) : '<unknown>';
}

/** Time since a timestamp, or `<unknown>` without one. */
export function since(ts: string | undefined, now: number): string {
  return ts ? humanDuration(now - Date.parse(ts)) : '<unknown>';
}
