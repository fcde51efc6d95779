import { InputError } from '../errors.ts';

// Keyset paging that stays correct under any sort: rows are ordered by (sort key, id) and a page
// starts strictly after (or ends strictly before) the cursor row's own (sort key, id). The cursor
// is the id of a row, so it is a plain id on the wire, and the anchor's key is read in the same
// statement (no value of the client's is trusted as a sort key). Sort keys are SQL expressions
// that are never NULL, so the row comparison is total.

export type SortDirection = 'asc' | 'desc';

/** What a list asks for: one page after or before a cursor row, in one sort order. */
export interface PageRequest {
  limit: number;
  /** Id of the last row of the previous page: the page after it. */
  cursor?: string | undefined;
  /** Id of the first row of the next page: the page before it. */
  before?: string | undefined;
  direction: SortDirection;
}

export interface Page<T> {
  items: T[];
  /** Pass as `cursor` for the next page, or null when this is the last. */
  nextCursor: string | null;
  /** Pass as `before` for the previous page, or null when this is the first. */
  prevCursor: string | null;
}

export interface KeysetTable {
  /** Qualified table name, e.g. ops.runs. */
  table: string;
  /** The list's name for the cursor's error message ("run", "audit event"). */
  noun: string;
  /** The sort key for a table alias; must never be NULL. */
  sortKey: (alias: string) => string;
  /** Filter conditions on alias `t`, with their $n parameters numbered from 1. */
  where: string[];
  params: unknown[];
}

type Query = (sql: string, params: unknown[]) => Promise<Record<string, unknown>[]>;

/**
 * One page of `spec.table` (columns `t.*`), in the order of its sort key then id. Throws
 * InputError naming `cursor` or `before` when that row does not exist.
 */
export async function keysetPage(
  query: Query,
  spec: KeysetTable,
  page: PageRequest,
): Promise<Page<Record<string, unknown>>> {
  if (page.cursor && page.before)
    throw new InputError('before', 'before: give either cursor or before, not both');
  const anchorField = page.cursor ? 'cursor' : page.before ? 'before' : null;
  const anchor = page.cursor ?? page.before ?? null;
  if (anchor !== null) {
    const found = await query(`SELECT 1 FROM ${spec.table} WHERE id = $1`, [anchor]);
    if (found.length === 0)
      throw new InputError(anchorField!, `${anchorField}: there is no ${spec.noun} ${anchor} to page from`);
  }
  // Reading backwards (the page before the anchor) walks the opposite order, then turns it round.
  const backwards = anchorField === 'before';
  const walk: SortDirection = backwards ? flip(page.direction) : page.direction;
  const params = [...spec.params, ...(anchor === null ? [] : [anchor]), page.limit + 1];
  const anchorParam = anchor === null ? null : `$${spec.params.length + 1}`;
  const rows = await query(select(spec, walk, anchorParam, `$${params.length}`), params);
  const more = rows.length > page.limit;
  const items = rows.slice(0, page.limit);
  if (backwards) items.reverse();
  const first = items.at(0);
  const last = items.at(-1);
  // The side we walked is known from the extra row; the other side only exists if we came from it.
  const hasNext = backwards ? last !== undefined && (await exists(query, spec, page.direction, last)) : more;
  const hasPrev = backwards
    ? more
    : anchor !== null && first !== undefined && (await exists(query, spec, flip(page.direction), first));
  return {
    items,
    nextCursor: hasNext && last ? String(last.id) : null,
    prevCursor: hasPrev && first ? String(first.id) : null,
  };
}

const flip = (d: SortDirection): SortDirection => (d === 'asc' ? 'desc' : 'asc');

function select(spec: KeysetTable, walk: SortDirection, anchorParam: string | null, limitParam: string) {
  const conditions = [...spec.where];
  if (anchorParam !== null) conditions.push(after(spec, walk, anchorParam));
  const dir = walk === 'asc' ? 'ASC' : 'DESC';
  return `SELECT t.* FROM ${spec.table} t
           ${conditions.length ? `WHERE ${conditions.join(' AND ')}` : ''}
          ORDER BY ${spec.sortKey('t')} ${dir}, t.id ${dir}
          LIMIT ${limitParam}`;
}

/** Rows strictly after the anchor row in walking order. */
function after(spec: KeysetTable, walk: SortDirection, anchorParam: string): string {
  return `(${spec.sortKey('t')}, t.id) ${walk === 'asc' ? '>' : '<'}
          (SELECT ${spec.sortKey('a')}, a.id FROM ${spec.table} a WHERE a.id = ${anchorParam})`;
}

async function exists(
  query: Query,
  spec: KeysetTable,
  walk: SortDirection,
  from: Record<string, unknown>,
): Promise<boolean> {
  const conditions = [...spec.where, after(spec, walk, `$${spec.params.length + 1}`)];
  const rows = await query(`SELECT 1 FROM ${spec.table} t WHERE ${conditions.join(' AND ')} LIMIT 1`, [
    ...spec.params,
    String(from.id),
  ]);
  return rows.length > 0;
}

/** `%needle%` for ILIKE, with the pattern's own characters taken literally. */
export function containsPattern(needle: string): string {
  return `%${needle.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
