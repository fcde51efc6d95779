import os from 'node:os';
import type { Announcer } from '../alerts/index.ts';
import type { AuditLog } from '../audit/index.ts';
import { ConflictError, NothingToDoError } from '../errors.ts';
import type { LineLog } from '../observability/index.ts';
import type { Actor, RunService } from '../runs/index.ts';
import type { OccurrenceOutcome, Schedule, ScheduleStore } from './schedule-store.ts';

export interface ScheduleFirerDeps {
  store: ScheduleStore;
  service: RunService;
  announcer: Announcer;
  audit: AuditLog;
  log: LineLog;
}

/** The actor of everything a schedule does. */
export function scheduleActor(schedule: Pick<Schedule, 'id'>): Actor {
  return { kind: 'system', label: 'system:schedule', scheduleId: schedule.id, host: os.hostname() };
}

/**
 * One line per claimed tick, named for alerting: `schedule.failed` (warn: the preflight or the run's
 * start failed), `schedule.skipped` (disabled meanwhile, or the runbook's lock held), else
 * `schedule.fired` with its status (started, clean, drift_detected, nothing_to_do).
 */
function logOutcome(
  log: LineLog,
  schedule: Schedule,
  slot: Date,
  outcome: OccurrenceOutcome,
  occurrenceId: string | null | undefined,
): void {
  const fields = {
    schedule_id: schedule.id,
    runbook: schedule.runbookId,
    slot: slot.toISOString(),
    occurrence_id: occurrenceId ?? null,
    status: outcome.status,
    ...(outcome.runId ? { run_id: outcome.runId } : {}),
  };
  const reason = outcome.reason ?? undefined;
  if (outcome.status === 'failed')
    log(`schedule ${schedule.id}: ${reason}`, { event: 'schedule.failed', level: 'warn', ...fields, reason });
  else if (outcome.status === 'skipped')
    log(`schedule ${schedule.id} skipped the tick at ${fields.slot}: ${reason}`, {
      event: 'schedule.skipped',
      ...fields,
      reason,
    });
  else log(`schedule ${schedule.id} fired: ${outcome.status}`, { event: 'schedule.fired', ...fields });
}

/**
 * What one claimed tick does: in `preflight` mode, a read-only preflight that alerts when rows
 * drifted; in `run` mode, a run through the run service like any other (its end is announced by
 * the run-finished hook). The occurrence records how it went.
 */
export class ScheduleFirer {
  constructor(private readonly deps: ScheduleFirerDeps) {}

  async fire(armed: Schedule, slot: Date): Promise<void> {
    const { store, log } = this.deps;
    // The row as it is now: an edit made through another daemon may not have reached our task yet.
    const schedule = await store.find(armed.id);
    let outcome: OccurrenceOutcome;
    let drift: Record<string, unknown> | null = null;
    try {
      if (!schedule?.enabled) {
        outcome = { status: 'skipped', reason: 'the schedule was disabled or deleted' };
      } else if (schedule.mode === 'preflight') {
        const { result } = await this.deps.service.preflight({
          runbookId: schedule.runbookId,
          scope: schedule.scope,
          params: schedule.params,
          actor: scheduleActor(schedule),
        });
        const affected = Number(result.affected_count);
        if (affected > 0) drift = { ...result };
        outcome = { status: affected > 0 ? 'drift_detected' : 'clean', affectedCount: affected };
      } else {
        outcome = await this.startRun(schedule);
      }
    } catch (error) {
      outcome = { status: 'failed', reason: (error as Error).message };
    }
    const occurrenceId = await store.finishOccurrence(armed.id, slot, outcome);
    logOutcome(log, armed, slot, outcome, occurrenceId);
    if (drift && schedule && occurrenceId) await this.announceDrift(schedule, drift, occurrenceId, slot);
  }

  private async startRun(schedule: Schedule): Promise<OccurrenceOutcome> {
    const { service } = this.deps;
    try {
      const { run } = await service.start({
        runbookId: schedule.runbookId,
        scope: schedule.scope,
        params: schedule.params,
        actor: scheduleActor(schedule),
        reasonCode: schedule.reasonCode,
        reasonText: schedule.reasonText,
        // The operator typed the phrase when saving the schedule; every fire carries it.
        confirmation: service.runbook(schedule.runbookId).confirmationPhrase,
      });
      return { status: 'started', runId: run.id };
    } catch (error) {
      if (error instanceof NothingToDoError) return { status: 'nothing_to_do', affectedCount: 0 };
      if (error instanceof ConflictError) return { status: 'skipped', reason: `lock held: ${error.message}` };
      throw error;
    }
  }

  private async announceDrift(
    schedule: Schedule,
    preflight: Record<string, unknown>,
    occurrenceId: string,
    slot: Date,
  ): Promise<void> {
    const actor = scheduleActor(schedule);
    await this.deps.audit.record({
      action: 'schedule.drift_detected',
      actorLabel: 'system:schedule',
      actor,
      runbookId: schedule.runbookId,
      scope: schedule.scope,
      details: { scheduleId: schedule.id, occurrenceId, affected_count: preflight.affected_count },
    });
    await this.deps.announcer.driftDetected({
      schedule: {
        id: schedule.id,
        name: schedule.name,
        runbookId: schedule.runbookId,
        ownerId: schedule.createdBy.id,
      },
      scope: schedule.scope,
      preflight,
      occurrenceId,
      slotAt: slot.toISOString(),
    });
  }
}
