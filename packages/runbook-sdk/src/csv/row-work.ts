import type { ChunkRange, ChunkSelection, KeysetWork, SqlExecutor, TenantRef } from '../context.ts';
import type { CsvInputRows, CsvRow } from './csv-input.ts';

/** A row of the input with its number (1 = the first data row): the key chunks are cut on. */
export interface NumberedRow {
  rowNumber: number;
  row: CsvRow;
}

/** The rows of one chunk: row numbers in (afterId, lastId]. */
export function rowsInRange(input: CsvInputRows, range: ChunkRange): NumberedRow[] {
  const after = range.afterId === null ? 0 : Number(range.afterId);
  const last = Math.min(Number(range.lastId), input.rows.length);
  const out: NumberedRow[] = [];
  for (let n = after + 1; n <= last; n++) out.push({ rowNumber: n, row: input.rows[n - 1]! });
  return out;
}

/**
 * Chunked work over a CSV input's rows, keyed by row number, for `ctx.runChunked`: the daemon
 * cuts the rows into chunks, writes each chunk in one transaction with its checkpoint (so every
 * row is applied exactly once, across pauses, restarts and kill -9), narrows or leaves out tenants
 * whose writes failed, and reports progress. The runbook says which tenants a set of rows touches
 * and how to apply them; it must honour `selection` (onlyTenantId, excludeTenantIds), its scope
 * and the platform-tenant rule, as any KeysetWork.
 */
export function csvRowWork(
  input: CsvInputRows,
  handlers: {
    tenantsOf(db: SqlExecutor, rows: NumberedRow[]): Promise<TenantRef[]>;
    apply(tx: SqlExecutor, rows: NumberedRow[], selection: ChunkSelection): Promise<{ updated: number }>;
  },
): KeysetWork {
  const total = input.rows.length;
  return {
    async countItems() {
      return total;
    },
    async nextChunk(_db, afterId, size, until) {
      const after = afterId === null ? 0 : Number(afterId);
      const end = Math.min(after + size, until == null ? total : Number(until), total);
      return end > after ? { lastId: String(end), items: end - after } : null;
    },
    async idBounds() {
      return total > 0 ? { firstId: '1', lastId: String(total) } : null;
    },
    tenantsInRange: (db, range) => handlers.tenantsOf(db, rowsInRange(input, range)),
    applyChunk: (tx, selection) => handlers.apply(tx, rowsInRange(input, selection), selection),
  };
}
