import type { RunRecord } from '../runs/index.ts';

/**
 * The run record as the command line prints it with `--json` (`runs show`, each item of `runs list`),
 * keys in snake_case as shared/spec/interfaces.md names them: deploy pipelines parse these. The one
 * place the CLI spells a run record; `exec`'s result line is a part of it (execResult).
 *
 * Only the record's own keys are spelled here. The values of `scope`, `actor`, `params`, `summary`,
 * `context` and `progress` are data kept as stored: `params` are the runbook's parameter names,
 * `summary` keys are the runbook's allow-listed (snake_case) keys.
 */
export function runRecordJson(run: RunRecord) {
  return {
    id: run.id,
    /** The names `exec --json` uses for the same two values, so one parser reads both. */
    run_id: run.id,
    type: run.type,
    runbook_id: run.type,
    runbook_version: run.runbookVersion,
    scope: run.scope,
    status: run.status,
    outcome: run.outcome,
    actor: run.actor,
    actor_label: run.actorLabel,
    break_glass: run.breakGlass ?? null,
    reason_code: run.reasonCode,
    reason_text: run.reasonText,
    params: run.params,
    summary: run.summary,
    context: run.context,
    /** The run's CSV file (file_name, sha256, row_count, byte_count), or null: also in `context.input`. */
    input: (run.context.input as Record<string, unknown> | undefined) ?? null,
    /** The approved run request it started from (request_id, requested_by, approved_by), or null: also in `context.approval`. */
    approval: (run.context.approval as Record<string, unknown> | undefined) ?? null,
    progress: run.progress,
    requested_action: run.requestedAction,
    heartbeat_at: run.heartbeatAt,
    created_at: run.createdAt,
    started_at: run.startedAt,
    finished_at: run.finishedAt,
    updated_at: run.updatedAt,
  };
}

export type RunRecordJson = ReturnType<typeof runRecordJson>;

/** The keys `exec --json` prints as its last line, which the README's deploy example reads. */
const EXEC_RESULT_KEYS = ['run_id', 'runbook_id', 'scope', 'status', 'outcome', 'summary'] as const;

/** `exec --json`'s result line: the run record's keys a pipeline acts on, and the failures. */
export function execResult(run: RunRecord) {
  const record = runRecordJson(run);
  const picked = Object.fromEntries(EXEC_RESULT_KEYS.map((k) => [k, record[k]])) as Pick<
    RunRecordJson,
    (typeof EXEC_RESULT_KEYS)[number]
  >;
  return { ...picked, failures: (run.context.failures as unknown[] | undefined) ?? [] };
}
