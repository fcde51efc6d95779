import type { PreflightResult } from '@ops/runbook-sdk';

const formatCount = (n: number) => n.toLocaleString('en-US');

/**
 * What the operator confirmed in the console before starting a run: the exact preflight count, or
 * the sampled estimate with its 95% margin ("about N ± m") when the exact count had not arrived.
 *
 * Why a run starts on it without counting again: at a million findings the exact preflight takes
 * tens of seconds, and counting it again under the start's lock kept the operator behind a
 * "Starting…" spinner that long. So the start only checks (under the lock) that one affected row
 * exists, records the run with this confirmation, and answers; the run itself counts exactly,
 * holding its locks, before its first write (`checkConfirmation`), and ends without writing when the
 * data moved beyond what the operator confirmed. The operator never sees a wrong number: the
 * estimate is labelled as one, and the exact count the run found is on its page either way.
 */
export interface Confirmation {
  affected_count: number;
  /** 0 for an exact count; the estimate's 95% margin otherwise. */
  margin: number;
  estimate: boolean;
}

/** The confirmation as the API and the run service take it (`preflightAffectedCount`, `preflightMargin`). */
export function confirmationOf(affectedCount: number, margin: number | undefined): Confirmation {
  return margin === undefined || margin === 0
    ? { affected_count: affectedCount, margin: 0, estimate: false }
    : { affected_count: affectedCount, margin, estimate: true };
}

/** Kept on the run as `context.confirmed`; absent on runs started by exec and schedules. */
export function confirmationOfRun(context: Record<string, unknown>): Confirmation | null {
  const c = context.confirmed as Partial<Confirmation> | undefined;
  if (!c || typeof c.affected_count !== 'number') return null;
  return { affected_count: c.affected_count, margin: c.margin ?? 0, estimate: c.estimate === true };
}

/** "1,234" or "about 1,200 ± 40 (estimate)": the confirmation in the operator's words. */
export function describeConfirmation(c: Confirmation): string {
  return c.estimate
    ? `about ${formatCount(c.affected_count)} ± ${formatCount(c.margin)} (estimate)`
    : formatCount(c.affected_count);
}

/**
 * Why a run must not write, or null when the exact count is what the operator confirmed: equal to
 * an exact confirmation, within the margin of an estimate. 0 is never confirmable work.
 */
export function refusalOf(c: Confirmation, exact: PreflightResult): string | null {
  const found = exact.affected_count;
  const within = Math.abs(found - c.affected_count) <= c.margin;
  if (found > 0 && within) return null;
  return found === 0
    ? `the data changed since your preflight: you confirmed ${describeConfirmation(c)} records to change, now there are none; nothing was written`
    : `the data changed since your preflight: you confirmed ${describeConfirmation(c)} records to change, the run counted ${formatCount(found)}; nothing was written — run preflight again`;
}
