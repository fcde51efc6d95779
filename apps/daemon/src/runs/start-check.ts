import type { PreflightResult, ResolvedScope, RunbookDefinition } from '@ops/runbook-sdk';
import type pg from 'pg';
import { pluginReader } from './preflight-checks.ts';
import { confirmationOfRun, refusalOf } from './run-confirmation.ts';
import { loadRunInput } from './run-input.ts';
import type { RunRecord } from './run-record.ts';
import type { RunRepository } from './run-repository.ts';

/** What a run's own exact count found before its first write. */
export interface StartCheck {
  preflight: PreflightResult;
  /** Why the run must not write (the data changed beyond what the operator confirmed), or null. */
  refusal: string | null;
}

/**
 * The exact check a console run makes before it writes (see run-confirmation.ts): with its locks
 * and lease held, still queued, it counts exactly, keeps the count on the run (`context.preflight`,
 * so its summary and the plugin see the exact figure) and compares it with what the operator
 * confirmed. `context.start_check` tells the run page what is happening meanwhile. Returns null
 * when there is nothing to check: a run from exec or a schedule (no confirmation), one whose start
 * already counted exactly (a runbook without `hasAffected`), or one resumed past this point.
 */
export async function checkBeforeWriting(
  deps: { pool: pg.Pool; runs: RunRepository; log: (message: string) => void },
  run: RunRecord,
  definition: RunbookDefinition,
  scope: ResolvedScope,
): Promise<StartCheck | null> {
  const confirmed = confirmationOfRun(run.context);
  const recorded = run.context.preflight as { affected_count?: number } | undefined;
  if (!confirmed || run.status !== 'queued' || typeof recorded?.affected_count === 'number') return null;
  await deps.runs.patchContext(run.id, {
    start_check: { state: 'counting', started_at: new Date().toISOString() },
  });
  const input = await loadRunInput(deps.pool, definition, run.id);
  const read = pluginReader(deps.pool, definition.id, run.params, deps.log, input);
  const preflight = await read('preflight', (ctx) => definition.preflight(ctx, scope));
  const refusal = refusalOf(confirmed, preflight);
  await deps.runs.patchContext(run.id, {
    preflight,
    start_check: {
      state: refusal ? 'refused' : 'passed',
      found: preflight.affected_count,
      finished_at: new Date().toISOString(),
    },
    ...(refusal ? { refused_reason: refusal } : {}),
  });
  return { preflight, refusal };
}
