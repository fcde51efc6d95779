import { describe, expect, it } from 'vitest';
import { InputError } from '../errors.ts';
import { nulBytePath, refuseNulBytes } from './input-guard.ts';

describe('nulBytePath', () => {
  it('names the first string holding a NUL, by its path in the input', () => {
    expect(nulBytePath({ a: 'ok', b: { c: ['x', 'y\u0000'] }, d: 'z\u0000' })).toBe('b.c.1');
    expect(nulBytePath('\u0000')).toBe('input');
  });

  it('finds a NUL in an object key, and shows it escaped', () => {
    expect(nulBytePath({ params: { 'a\u0000': 1 } })).toBe('params.a\\u0000');
  });

  it('passes inputs without one, whatever their types', () => {
    expect(nulBytePath({ a: 1, b: null, c: [true, 'fine', { d: 2.5 }] })).toBeNull();
    expect(nulBytePath(undefined)).toBeNull();
  });

  it('walks a deeply nested input without overflowing the stack', () => {
    let deep: unknown = 'bottom\u0000';
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(nulBytePath(deep)).toMatch(/^0(\.0)+$/);
  });
});

describe('refuseNulBytes', () => {
  it('throws an InputError naming the field', () => {
    expect(() => refuseNulBytes({ reasonText: 'a\u0000' })).toThrow(InputError);
    expect(() => refuseNulBytes({ reasonText: 'a\u0000' })).toThrow(
      'reasonText: must not contain NUL characters (\\u0000)',
    );
  });
});
