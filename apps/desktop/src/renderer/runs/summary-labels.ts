import { formatCount } from '../format/numbers.ts';
import { formatDuration } from '../format/time.ts';

// Summary figures (a run's summary, a preflight's result) in operator words, in one place: the
// core keys of the SDK's allow-list have labels of their own, a runbook's declared keys are put
// into words ("duplicates_found" → "Duplicates found").

const LABELS: Readonly<Record<string, string>> = {
  affected_count: 'Affected',
  updated_count: 'Updated',
  skipped_count: 'Skipped',
  error_count: 'Errors',
  total_scanned: 'Scanned',
  estimated_tenants: 'Tenants (estimated)',
  tenant_count: 'Tenants',
  duration_ms: 'Duration',
};

/** The core keys in the order operators read them; declared keys follow, in their runbook's order. */
export const CORE_SUMMARY_ORDER: readonly string[] = Object.keys(LABELS);

export function summaryLabel(key: string): string {
  const known = LABELS[key];
  if (known) return known;
  const words = key.replace(/_count$/, '').replaceAll('_', ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export function summaryValue(key: string, value: number): string {
  return key === 'duration_ms' ? formatDuration(value) : formatCount(value);
}

/**
 * The numeric figures of `figures` worth showing, in order: core keys first, then the runbook's
 * declared keys; keys neither core nor declared are left out (the daemon's allow-list, kept here).
 */
export function summaryEntries(
  figures: Record<string, unknown>,
  declared: readonly string[] = [],
): [string, number][] {
  const order = [...CORE_SUMMARY_ORDER, ...declared.filter((k) => !CORE_SUMMARY_ORDER.includes(k))];
  return order
    .filter((key) => typeof figures[key] === 'number' && Number.isFinite(figures[key]))
    .map((key) => [key, figures[key] as number]);
}
