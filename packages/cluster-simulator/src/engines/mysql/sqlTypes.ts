/*
 * What a statement gives back: a result set (or nothing), or a MySQL error
 * with its code and SQLSTATE, printed as the mysql client prints them.
 */

/** A result set; `null` cells print as NULL. */
export interface ResultSet {
  columns: string[];
  rows: Array<Array<string | null>>;
}

/** A MySQL error (code, SQLSTATE, message). */
export class SqlError extends Error {
  constructor(
    readonly code: number,
    readonly sqlState: string,
    message: string,
  ) {
    super(message);
  }
}

/** ERROR 1064: what the server answers for SQL it does not understand. */
export function syntaxError(near: string): SqlError {
  const shown = near.length > 80 ? near.slice(0, 80) : near;
  return new SqlError(
    1064,
    '42000',
    `You have an error in your SQL syntax; check the manual that corresponds to your MySQL server version for the right syntax to use near '${shown}' at line 1`,
  );
}

/** Calls `visit` with the index and parenthesis depth of each character outside quotes. */
export function forEachUnquoted(
  text: string,
  visit: (i: number, depth: number) => void,
): void {
  let depth = 0;
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = undefined;
    } else if (c === "'" || c === '"' || c === '`') quote = c;
    else {
      if (c === '(') depth++;
      else if (c === ')') depth--;
      visit(i, depth);
    }
  }
}

/** Splits on `sep` outside quotes and parentheses. */
export function splitOutside(text: string, sep: string): string[] {
  const out: string[] = [];
  let start = 0;
  forEachUnquoted(text, (i, depth) => {
    if (text[i] === sep && depth === 0) {
      out.push(text.slice(start, i));
      start = i + 1;
    }
  });
  out.push(text.slice(start));
  return out;
}

/** The value of a quoted SQL string literal, or undefined when `text` is not one. */
export function stringLiteral(text: string): string | undefined {
  const m = /^(['"])((?:\\.|(?!\1).)*)\1$/s.exec(text.trim());
  return m ? m[2].replace(/\\(.)/g, '$1') : undefined;
}
