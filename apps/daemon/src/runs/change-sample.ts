import { type ChangeSampleRow, PLATFORM_TENANT_EXTERNAL_ID } from '@ops/runbook-sdk';
import { InputError } from '../errors.ts';

/** How many rows (keys) a change sample may ask for: the console shows 20, the CLI up to 100. */
export const CHANGE_SAMPLE_LIMITS = { min: 1, max: 100, default: 20 } as const;

/**
 * The one home of the limit rule (API, CLI and service). `field` names the field in the caller's
 * words (`limit` in the API, `--diff` on the command line). Throws InputError.
 */
export function changeSampleLimit(value: unknown, field = 'limit'): number {
  const n = typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : value;
  if (
    typeof n !== 'number' ||
    !Number.isInteger(n) ||
    n < CHANGE_SAMPLE_LIMITS.min ||
    n > CHANGE_SAMPLE_LIMITS.max
  ) {
    throw new InputError(
      field,
      `${field} must be a whole number from ${CHANGE_SAMPLE_LIMITS.min} to ${CHANGE_SAMPLE_LIMITS.max} (got ${JSON.stringify(value)})`,
    );
  }
  return n;
}

/** A value as text: a plugin's object shows as its JSON, not as "[object Object]". */
const text = (v: unknown): string | null =>
  v === null || v === undefined ? null : typeof v === 'object' ? JSON.stringify(v) : String(v);

/**
 * A plugin's sample as plain rows of text, at most `limit` keys: what it returned is the plugin's
 * word, so nothing else it put there (objects, extra keys) reaches the API or a terminal, and no
 * row of the platform tenant, which no runbook may touch, is shown whatever the plugin says.
 */
export function normaliseChangeSample(rows: unknown, limit: number): ChangeSampleRow[] {
  if (!Array.isArray(rows)) return [];
  const keys = new Set<string>();
  const out: ChangeSampleRow[] = [];
  for (const row of rows) {
    if (typeof row !== 'object' || row === null) continue;
    const r = row as Record<string, unknown>;
    const key = text(r.key);
    const field = text(r.field);
    const tenant = text(r.tenant) ?? '';
    if (key === null || field === null || tenant === PLATFORM_TENANT_EXTERNAL_ID) continue;
    if (!keys.has(key)) {
      if (keys.size >= limit) continue;
      keys.add(key);
    }
    out.push({ key, tenant, field, before: text(r.before), after: text(r.after) });
  }
  return out;
}
