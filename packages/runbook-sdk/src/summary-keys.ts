/**
 * The central allow-list of summary keys. A run's summary may hold these and the keys its runbook
 * declares; anything else is dropped before it is stored, so no free-form data reaches the record.
 */
export const CORE_SUMMARY_KEYS = [
  'affected_count',
  'updated_count',
  'skipped_count',
  'error_count',
  'total_scanned',
  'estimated_tenants',
  'tenant_count',
  'duration_ms',
] as const;

export type CoreSummaryKey = (typeof CORE_SUMMARY_KEYS)[number];
export type Summary = Record<string, number>;

const SUMMARY_KEY_PATTERN = /^[a-z][a-z0-9_]{0,62}$/;

export function isValidSummaryKeyName(key: string): boolean {
  return SUMMARY_KEY_PATTERN.test(key);
}

/**
 * What `filterSummary` would leave out of a run's result, one message per key naming the rule it
 * breaks, so the daemon (and the kit) can warn instead of dropping it silently.
 */
export function summaryWarnings(
  summary: Record<string, unknown>,
  declaredKeys: readonly string[] = [],
): string[] {
  const allowed = new Set<string>([...CORE_SUMMARY_KEYS, ...declaredKeys]);
  const warnings: string[] = [];
  for (const [key, value] of Object.entries(summary)) {
    if (!allowed.has(key)) {
      warnings.push(
        `summary key ${JSON.stringify(key)} is neither a core key nor declared in summaryKeys: left out of the run's summary`,
      );
    } else if (typeof value !== 'number' || !Number.isFinite(value)) {
      warnings.push(
        `summary key ${JSON.stringify(key)} must be a finite number (got ${JSON.stringify(value) ?? String(value)}): left out of the run's summary`,
      );
    }
  }
  return warnings;
}

/** Keeps only allow-listed (core or declared) keys with finite numeric values. */
export function filterSummary(
  summary: Record<string, unknown>,
  declaredKeys: readonly string[] = [],
): Summary {
  const allowed = new Set<string>([...CORE_SUMMARY_KEYS, ...declaredKeys]);
  const out: Summary = {};
  for (const [key, value] of Object.entries(summary)) {
    if (allowed.has(key) && typeof value === 'number' && Number.isFinite(value)) out[key] = value;
  }
  return out;
}
