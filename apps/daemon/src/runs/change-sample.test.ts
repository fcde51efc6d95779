import { describe, expect, it } from 'vitest';
import { InputError } from '../errors.ts';
import { changeSampleLimit, normaliseChangeSample } from './change-sample.ts';

describe('change sample rules', () => {
  it('takes a whole number from 1 to 100 and names the field otherwise', () => {
    expect(changeSampleLimit(1)).toBe(1);
    expect(changeSampleLimit('100', '--diff')).toBe(100);
    for (const bad of [0, 101, 2.5, -1, 'ten', '', null, undefined]) {
      expect(() => changeSampleLimit(bad, '--diff'), String(bad)).toThrow(InputError);
      try {
        changeSampleLimit(bad, '--diff');
      } catch (error) {
        expect((error as InputError).field).toBe('--diff');
        expect((error as Error).message).toMatch(/--diff must be a whole number from 1 to 100/);
      }
    }
  });

  it("keeps a plugin's rows as plain text, at most `limit` keys, never the platform tenant", () => {
    const rows = normaliseChangeSample(
      [
        { key: 1, tenant: 'acme', field: 'status', before: 'open', after: 'new', extra: { x: 1 } },
        { key: '1', tenant: 'acme', field: 'times_seen', before: null, after: 3 },
        { key: '2', tenant: 'platform', field: 'status', before: 'open', after: 'new' },
        { key: '3', tenant: 'globex', field: 'status', before: 'closed', after: 'resolved' },
        { key: '4', tenant: 'initech', field: 'status', before: 'x', after: 'new' },
        'junk',
        { tenant: 'acme', field: 'status' },
      ],
      2,
    );
    expect(rows).toEqual([
      { key: '1', tenant: 'acme', field: 'status', before: 'open', after: 'new' },
      { key: '1', tenant: 'acme', field: 'times_seen', before: null, after: '3' },
      { key: '3', tenant: 'globex', field: 'status', before: 'closed', after: 'resolved' },
    ]);
    expect(normaliseChangeSample({ not: 'an array' }, 5)).toEqual([]);
  });
});
