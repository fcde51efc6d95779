import { describe, expect, it } from 'vitest';
import { type ListSpec, readListState, writeListState } from './list-url-state.ts';

const SPEC: ListSpec<'actor' | 'status', 'id' | 'started'> = {
  filters: ['actor', 'status'],
  sorts: ['id', 'started'],
  defaultDirection: 'desc',
};
const read = (query: string) => readListState(new URLSearchParams(query), SPEC);

describe('a list state in the URL', () => {
  it('reads sort, direction, filters and the page from a shared link', () => {
    expect(read('actor=system%3A&sort=started&dir=asc&after=37')).toEqual({
      sort: 'started',
      direction: 'asc',
      filters: { actor: 'system:', status: '' },
      after: '37',
      before: null,
    });
  });

  it('drops what the page does not know instead of sending it to the daemon to be refused', () => {
    expect(read('sort=color&dir=up&after=12x&before=abc&tenant=4')).toEqual({
      sort: null,
      direction: 'desc',
      filters: { actor: '', status: '' },
      after: null,
      before: null,
    });
    // Both ends of a page given: the page after wins, as the API takes only one.
    expect(read('after=3&before=9')).toMatchObject({ after: '3', before: null });
  });

  it('writes back only what differs from the defaults, so plain links stay plain', () => {
    expect(writeListState(read(''), SPEC)).toBe('');
    expect(writeListState(read('sort=started&dir=desc&status=running'), SPEC)).toBe(
      'status=running&sort=started',
    );
    const state = read('actor=a%26b&sort=id&dir=asc&before=5');
    expect(read(writeListState(state, SPEC))).toEqual(state);
  });
});
