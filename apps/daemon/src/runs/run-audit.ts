import type { AuditAction, AuditLog } from '../audit/index.ts';
import { recordAuditFailure } from './executor.ts';
import { type Actor, actorLabel, type RunRecord } from './run-record.ts';
import type { RunRepository } from './run-repository.ts';

export interface RunAuditExtra {
  outcome?: string;
  details?: Record<string, unknown>;
  /** Who acted, when not the run's own actor (an operator pausing it). */
  by?: Actor;
  ip?: string | null;
}

/** Writes a run's audit event; a failed write is kept on the run, never thrown. */
export async function auditRunEvent(
  deps: { audit: AuditLog; runs: RunRepository },
  run: RunRecord,
  action: AuditAction,
  extra: RunAuditExtra = {},
): Promise<void> {
  const by = extra.by ?? run.actor;
  const written = await deps.audit.record({
    action,
    actorLabel: actorLabel(by),
    actor: by,
    runId: run.id,
    runbookId: run.type,
    scope: run.scope,
    outcome: extra.outcome ?? null,
    ip: extra.ip ?? null,
    details: extra.details ?? {},
  });
  if (!written.ok) await recordAuditFailure(deps.runs, run.id, written.error);
}
