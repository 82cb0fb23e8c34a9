/**
 * Multi-row INSERTs without the query builder: the SQL text for n rows is built
 * once per (table, n, dialect) and reused, and the rows go in as plain parameters.
 * Event and audit rows are the bulk of every commit, and building their query
 * trees row by row cost more than running the statement.
 */
import { CompiledQuery, type Transaction } from 'kysely';
import type { Database } from './schema.ts';

/** Rows per statement: keeps SQLite under its bound-parameter limit. */
export const ROWS_PER_INSERT = 200;

type Table = keyof Database;

const sqlCache = new Map<string, string>();

function insertSql(table: Table, columns: readonly string[], rows: number, postgres: boolean, suffix: string): string {
  const key = `${table}|${rows}|${postgres ? 'pg' : 'lite'}|${suffix}`;
  let text = sqlCache.get(key);
  if (text === undefined) {
    let n = 0;
    const tuple = (): string => `(${columns.map(() => (postgres ? `$${++n}` : '?')).join(', ')})`;
    const tuples = Array.from({ length: rows }, tuple).join(', ');
    text = `insert into ${table} (${columns.join(', ')}) values ${tuples}${suffix}`;
    sqlCache.set(key, text);
  }
  return text;
}

/**
 * Inserts `rows` (objects keyed by column) into `table`, in chunks. `suffix` is
 * fixed SQL after the values (an `on conflict … returning` clause, never user
 * input); the rows it returns are returned, every chunk's together.
 */
export async function bulkInsert<T extends Table, R = never>(
  trx: Transaction<Database>,
  table: T,
  columns: readonly (keyof Database[T] & string)[],
  rows: readonly Database[T][],
  postgres: boolean,
  suffix = '',
): Promise<R[]> {
  const returned: R[] = [];
  for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
    const chunk = rows.slice(i, i + ROWS_PER_INSERT);
    const params: unknown[] = [];
    for (const row of chunk) for (const c of columns) params.push(row[c]);
    const res = await trx.executeQuery<R>(CompiledQuery.raw(insertSql(table, columns, chunk.length, postgres, suffix), params));
    for (const r of res.rows) returned.push(r);
  }
  return returned;
}
