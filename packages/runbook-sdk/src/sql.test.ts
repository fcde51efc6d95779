import { describe, expect, it } from 'vitest';
import { queryOf, sql } from './sql.ts';

describe('sql', () => {
  it('binds every interpolated value as a numbered parameter', () => {
    const tenantId = 7;
    const severity = "x'; UPDATE findings SET severity='PWNED' WHERE id=3; SELECT '";
    const q = sql`SELECT id FROM findings WHERE tenant_id = ${tenantId} AND severity = ${severity}`;
    expect(q.text).toBe('SELECT id FROM findings WHERE tenant_id = $1 AND severity = $2');
    expect(q.values).toEqual([7, severity]);
  });

  it('embeds nested fragments with their values renumbered', () => {
    const scope = (tenantId: number | null) =>
      tenantId === null ? sql`true` : sql`f.tenant_id = ${tenantId}`;
    const q = sql`SELECT count(*) FROM findings f WHERE f.id > ${100} AND ${scope(3)} AND f.severity = ${'high'}`;
    expect(q.text).toBe(
      'SELECT count(*) FROM findings f WHERE f.id > $1 AND f.tenant_id = $2 AND f.severity = $3',
    );
    expect(q.values).toEqual([100, 3, 'high']);
  });

  it('binds an array as one parameter', () => {
    const q = sql`DELETE FROM finding_events WHERE id = ANY(${['1', '2']}::bigint[])`;
    expect(q).toMatchObject({
      text: 'DELETE FROM finding_events WHERE id = ANY($1::bigint[])',
      values: [['1', '2']],
    });
  });

  it('joins fragments and values, and quotes identifiers', () => {
    const q = sql`SELECT ${sql.join([sql.identifier('f', 'id'), sql.identifier('weird"name')])} FROM f WHERE k IN (${sql.join(['a', 'b'])})`;
    expect(q.text).toBe('SELECT "f"."id", "weird""name" FROM f WHERE k IN ($1, $2)');
    expect(q.values).toEqual(['a', 'b']);
  });

  it('embeds unsafeRaw text as written, binding nothing', () => {
    const q = sql`SELECT 1 FROM ${sql.unsafeRaw('public.findings')} WHERE id = ${1}`;
    expect(q).toMatchObject({ text: 'SELECT 1 FROM public.findings WHERE id = $1', values: [1] });
  });

  it('is read by queryOf like text with params', () => {
    expect(queryOf(sql`SELECT ${1}`)).toEqual({ text: 'SELECT $1', values: [1] });
    expect(queryOf('SELECT $1', [2])).toEqual({ text: 'SELECT $1', values: [2] });
    expect(() => queryOf(sql`SELECT ${1}`, [2])).toThrow(/carries its own values/);
    expect(() => queryOf(42 as never)).toThrow(TypeError);
  });
});
