import type { SqlExecutor } from './context.ts';

/**
 * Lifecycle hooks (SDK 2.0): optional members of a runbook the daemon calls once a run has ended
 * and its record is written — outside every chunk transaction, after the run's locks are let go,
 * each within its own time limit (OPS_HOOK_TIMEOUT_MS, 30 s by default), in the plugin's worker.
 * What a hook does is audited (`run.hook_completed` / `run.hook_failed`) and kept on the run
 * (`context.hooks`); a hook that throws or hangs is recorded and never changes the run's outcome.
 */
export interface HookContext {
  /** Statements under the runbook's own role, each committed on its own (no transaction). */
  db: SqlExecutor;
  /** The run's parameter values, as the run had them. */
  params: Record<string, unknown>;
  runId: string;
  /** Lines for the run's log. */
  log(message: string): void;
  /** Aborted when the hook's time is up or the daemon stops. */
  signal: AbortSignal;
}

/** What `afterComplete` gets: a run that ended having done its work (a cancelled run calls no hook). */
export interface RunCompletion {
  /** `partially_succeeded`: some tenants' rows failed and were left out (`summary.error_count`). */
  outcome: 'succeeded' | 'partially_succeeded';
  /** The run's stored summary (core keys and the declared ones). */
  summary: Record<string, number>;
}

/** What `afterError` gets: why the run failed. */
export interface RunError {
  message: string;
  /** `transient`, `plugin`, `data`…: how the daemon classed the error. */
  errorClass: string;
  summary: Record<string, number>;
}

export const LIFECYCLE_HOOKS = ['afterComplete', 'afterError'] as const;
export type LifecycleHook = (typeof LIFECYCLE_HOOKS)[number];
