import type { ChangeSampleRow, PreflightEstimate, PreflightResult, ResolvedScope } from '@ops/runbook-sdk';
import { type SharedFlightLimits, SharedFlights } from './shared-flights.ts';

/**
 * Calls in one batched HTTP request; a larger batch is refused with 400 before any call runs. The
 * console's httpBatchLink splits its batches at the same size (renderer/api/trpc.ts).
 */
export const API_MAX_BATCH_SIZE = 10;

/**
 * The API's bounds on its long read-only queries, one instance per daemon. A burst of preflights
 * (a batch, several consoles) must not hold every connection of the daemon's pool: runs, the
 * console's other pages and the sweeps need some. Exact preflights and estimates have separate
 * slots, so the quick estimate the console shows beside a preflight never waits behind the counts.
 */
export interface ApiQueryLimits {
  preflights: SharedFlights<{
    scope: ResolvedScope;
    result: PreflightResult;
    /** The file's hash and row count, when the runbook takes a CSV input. */
    input: { file_name: string; sha256: string; row_count: number; byte_count: number } | null;
    /** A reversible runbook whose run here would not be journaled: why (RunService.preflight). */
    notReversible: string | null;
  }>;
  estimates: SharedFlights<{ scope: ResolvedScope; estimate: PreflightEstimate | null }>;
  /** Change samples (issue 14): quick like estimates, in slots of their own. */
  diffs: SharedFlights<{ scope: ResolvedScope; limit: number; diff: ChangeSampleRow[] | null }>;
}

export function createApiQueryLimits(limits: SharedFlightLimits): ApiQueryLimits {
  return {
    preflights: new SharedFlights('exact preflights', limits),
    estimates: new SharedFlights('preflight estimates', limits),
    diffs: new SharedFlights('change samples', limits),
  };
}
