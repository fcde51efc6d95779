import type { ChangeSampleRow } from '@ops/runbook-sdk';

const HEADERS = ['finding', 'tenant', 'field', 'before', 'after'] as const;

/** NULL shows as ∅ so it cannot be mistaken for an empty text. */
const cell = (v: string | null) => (v === null ? '∅' : v);

/**
 * A change sample as a compact terminal table (finding, tenant, field, before, after), a finding's
 * key and tenant shown on its first field only so the rows of one finding read as a group.
 */
export function formatChangeSample(rows: readonly ChangeSampleRow[]): string {
  const body = rows.map((r, i) => {
    const first = i === 0 || rows[i - 1]!.key !== r.key;
    return [first ? r.key : '', first ? r.tenant : '', r.field, cell(r.before), cell(r.after)];
  });
  const widths = HEADERS.map((h, c) => Math.max(h.length, ...body.map((row) => row[c]!.length)));
  const line = (cells: readonly string[]) =>
    `  ${cells.map((v, c) => (c === cells.length - 1 ? v : v.padEnd(widths[c]!))).join('  ')}`;
  return [line(HEADERS), ...body.map(line)].join('\n');
}
