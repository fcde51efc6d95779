import type {
  HookContext,
  LifecycleHook,
  RunbookDefinition,
  RunCompletion,
  RunError,
} from '@ops/runbook-sdk';
import type pg from 'pg';
import type { AuditLog } from '../audit/index.ts';
import { DEFAULT_HOOK_TIMEOUT_MS, formatMs } from '../plugins/sandbox/index.ts';
import { runbookPoolExecutor } from './plugin-executors.ts';
import type { RunFailure, RunRecord } from './run-record.ts';
import type { RunRepository } from './run-repository.ts';

export interface HookDeps {
  pool: pg.Pool;
  runs: RunRepository;
  audit: AuditLog;
  log(message: string): void;
  /** OPS_HOOK_TIMEOUT_MS; a sandboxed plugin's worker is stopped at this limit by the sandbox. */
  hookTimeoutMs?: number;
}

/** What a hook did, kept on the run (`context.hooks`) and in the audit. */
export interface HookRecord {
  hook: LifecycleHook;
  ok: boolean;
  /** Why it failed, in words naming the hook (a throw, or its time limit). */
  error?: string;
  duration_ms: number;
  at: string;
}

/** The hook an ended run calls, and what it is given; none for a cancelled or unfinished run. */
export function hookFor(
  run: RunRecord,
): { hook: 'afterComplete'; payload: RunCompletion } | { hook: 'afterError'; payload: RunError } | null {
  if (run.status !== 'completed') return null;
  if (run.outcome === 'succeeded' || run.outcome === 'partially_succeeded') {
    return { hook: 'afterComplete', payload: { outcome: run.outcome, summary: { ...run.summary } } };
  }
  if (run.outcome === 'failed') {
    const error = run.context.error as Partial<RunFailure> | undefined;
    return {
      hook: 'afterError',
      payload: {
        message: error?.message ?? 'the run failed',
        errorClass: error?.errorClass ?? 'unknown',
        summary: { ...run.summary },
      },
    };
  }
  return null;
}

/**
 * Calls the runbook's lifecycle hook for a run that has just ended (its record written, its locks
 * let go): outside any transaction, within OPS_HOOK_TIMEOUT_MS. The outcome is audited and kept on
 * the run; whatever the hook does — throw, hang, write — the run's outcome stays as recorded.
 * Never throws.
 */
export async function runLifecycleHook(
  deps: HookDeps,
  definition: RunbookDefinition,
  run: RunRecord,
): Promise<HookRecord | null> {
  const due = hookFor(run);
  if (!due) return null;
  // Once per run: a run another process took over and ended already had its hook called there.
  if ((run.context.hooks as HookRecord[] | undefined)?.some((h) => h.hook === due.hook)) return null;
  const call = definition[due.hook] as
    | ((ctx: HookContext, payload: RunCompletion | RunError) => Promise<void>)
    | undefined;
  if (typeof call !== 'function') return null;
  const timeoutMs = deps.hookTimeoutMs ?? DEFAULT_HOOK_TIMEOUT_MS;
  const controller = new AbortController();
  const ctx: HookContext = {
    db: runbookPoolExecutor(deps.pool, definition.id, `runbook ${definition.id}`),
    params: run.params,
    runId: run.id,
    log: (message) => deps.log(`run ${run.id} ${due.hook}: ${message}`),
    signal: controller.signal,
  };
  const startedMs = Date.now();
  let timer: NodeJS.Timeout | undefined;
  // The sandbox stops a sandboxed hook at its limit; this bound is for one on the daemon's thread
  // (OPS_PLUGIN_ISOLATION=off) and, a little later, a backstop.
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(
        new Error(
          `runbook ${definition.id}: its ${due.hook} hook did not finish within ${formatMs(timeoutMs)} (OPS_HOOK_TIMEOUT_MS) and was stopped`,
        ),
      );
    }, timeoutMs + 1_000);
  });
  let record: HookRecord;
  try {
    await Promise.race([Promise.resolve().then(() => call.call(definition, ctx, due.payload)), timedOut]);
    record = { hook: due.hook, ok: true, duration_ms: Date.now() - startedMs, at: new Date().toISOString() };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    record = {
      hook: due.hook,
      ok: false,
      error: message.startsWith(`runbook ${definition.id}`)
        ? message
        : `runbook ${definition.id}: its ${due.hook} hook failed: ${message}`,
      duration_ms: Date.now() - startedMs,
      at: new Date().toISOString(),
    };
  } finally {
    clearTimeout(timer);
  }
  await keep(deps, run, record);
  return record;
}

async function keep(deps: HookDeps, run: RunRecord, record: HookRecord): Promise<void> {
  if (!record.ok) deps.log(`run ${run.id}: ${record.error} (the run stays ${run.outcome})`);
  try {
    const current = await deps.runs.get(run.id);
    const previous = (current.context.hooks as HookRecord[] | undefined) ?? [];
    await deps.runs.patchContext(run.id, { hooks: [...previous, record] });
  } catch (error) {
    deps.log(
      `run ${run.id}: keeping its ${record.hook} hook's outcome on the run failed: ${(error as Error).message}`,
    );
  }
  const written = await deps.audit.record({
    action: record.ok ? 'run.hook_completed' : 'run.hook_failed',
    actorLabel: run.actorLabel,
    actor: run.actor,
    runId: run.id,
    runbookId: run.type,
    scope: run.scope,
    outcome: run.outcome,
    details: {
      hook: record.hook,
      duration_ms: record.duration_ms,
      ...(record.error ? { error: record.error } : {}),
    },
  });
  if (!written.ok) deps.log(`run ${run.id}: auditing its ${record.hook} hook failed: ${written.error}`);
}
