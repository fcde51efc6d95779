import { useCallback, useMemo } from 'react';
import { useSearchParams } from 'wouter';

// A list page's sort, filters and page live in its URL (?sort=started&dir=asc&actor=cli&after=37),
// so a link shows the same rows to whoever opens it and a reload keeps them. The URL is read
// leniently: a value the page does not know is dropped (the page shows its default), never sent
// to the daemon to be refused.

export type SortDirection = 'asc' | 'desc';

export interface ListState<F extends string, S extends string> {
  sort: S | null;
  direction: SortDirection;
  filters: Record<F, string>;
  /** The page after this row id (`after`), or before it (`before`); neither for the first page. */
  after: string | null;
  before: string | null;
}

export interface ListSpec<F extends string, S extends string> {
  filters: readonly F[];
  sorts: readonly S[];
  /** Direction when the URL names none. */
  defaultDirection: SortDirection;
}

const ID = /^\d{1,19}$/;

export function readListState<F extends string, S extends string>(
  params: URLSearchParams,
  spec: ListSpec<F, S>,
): ListState<F, S> {
  const sort = params.get('sort');
  const dir = params.get('dir');
  const after = params.get('after');
  const before = params.get('before');
  const filters = Object.fromEntries(spec.filters.map((f) => [f, params.get(f) ?? ''])) as Record<F, string>;
  return {
    sort: sort !== null && (spec.sorts as readonly string[]).includes(sort) ? (sort as S) : null,
    direction: dir === 'asc' || dir === 'desc' ? dir : spec.defaultDirection,
    filters,
    after: after !== null && ID.test(after) ? after : null,
    before: before !== null && ID.test(before) && !(after !== null && ID.test(after)) ? before : null,
  };
}

/** The query string of a state, with defaults left out so plain links stay plain. */
export function writeListState<F extends string, S extends string>(
  state: ListState<F, S>,
  spec: ListSpec<F, S>,
): string {
  const params = new URLSearchParams();
  for (const f of spec.filters) if (state.filters[f]) params.set(f, state.filters[f]);
  if (state.sort) params.set('sort', state.sort);
  if (state.sort && state.direction !== spec.defaultDirection) params.set('dir', state.direction);
  if (state.after) params.set('after', state.after);
  else if (state.before) params.set('before', state.before);
  return params.toString();
}

export const hasFilters = <F extends string>(filters: Record<F, string>): boolean =>
  Object.values<string>(filters).some((v) => v.trim() !== '');

/**
 * The list state of the current URL and the moves an operator makes: each writes the URL (a new
 * history entry, so Back undoes it), and any change of sort or filter starts again at page one.
 */
export function useListUrlState<F extends string, S extends string>(spec: ListSpec<F, S>) {
  const [params, setParams] = useSearchParams();
  const state = useMemo(() => readListState(params, spec), [params, spec]);
  const go = useCallback(
    (next: ListState<F, S>, replace = false) => setParams(writeListState(next, spec), { replace }),
    [setParams, spec],
  );
  return {
    state,
    setFilter: (name: F, value: string, replace = false) =>
      go({ ...state, filters: { ...state.filters, [name]: value }, after: null, before: null }, replace),
    clearFilters: () =>
      go({
        ...state,
        filters: Object.fromEntries(spec.filters.map((f) => [f, ''])) as Record<F, string>,
        after: null,
        before: null,
      }),
    setSort: (sort: S, direction: SortDirection) =>
      go({ ...state, sort, direction, after: null, before: null }),
    pageAfter: (id: string) => go({ ...state, after: id, before: null }),
    pageBefore: (id: string) => go({ ...state, after: null, before: id }),
    firstPage: () => go({ ...state, after: null, before: null }),
  };
}
