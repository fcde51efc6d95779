import { ParameterError, parseParameters, type ResolvedScope, type Scope } from '@ops/runbook-sdk';
import type pg from 'pg';
import type { AuditAction, AuditLog } from '../audit/index.ts';
import { InputError, NotAllowedError } from '../errors.ts';
import {
  type Actor,
  type Authorize,
  PREFLIGHT_CAPABILITY,
  RUN_CAPABILITY,
  type RunService,
  validateReason,
} from '../runs/index.ts';
import { resolveScope } from '../tenants/index.ts';
import { nextFireTimes } from './schedule-rules.ts';
import type { NewSchedule, Occurrence, Schedule, ScheduleMode, ScheduleStore } from './schedule-store.ts';

/** A schedule as the API shows it, with its next fire times (none while disabled). */
export interface ScheduleView extends Omit<Schedule, 'version'> {
  nextFireTimes: string[];
  lastOccurrence: Occurrence | null;
}

export interface ScheduleInput {
  name: string;
  cron: string;
  timezone: string;
  runbookId: string;
  scope: Scope;
  params: Record<string, unknown>;
  mode: ScheduleMode;
  reasonCode?: string | null;
  reasonText?: string | null;
  enabled: boolean;
  /** The runbook's confirmation phrase: a run-mode schedule on all tenants is confirmed once, here. */
  confirmation?: string | null;
}

export type ScheduleUpdate = { id: string } & Partial<ScheduleInput>;

export interface ScheduleCaller {
  actor: Extract<Actor, { kind: 'user' }>;
  authorize: Authorize;
  ip: string | null;
}

export interface SchedulesServiceDeps {
  store: ScheduleStore;
  service: RunService;
  pool: pg.Pool;
  audit: AuditLog;
  /** After a change: the local scheduler re-arms at once (other daemons on their next sync). */
  onChanged: () => Promise<void>;
}

const NEXT_FIRE_COUNT = 3;

/** Schedules as the console edits them: checked against the catalog, the caller's rights, audited. */
export class SchedulesService {
  constructor(private readonly deps: SchedulesServiceDeps) {}

  async list(): Promise<ScheduleView[]> {
    const [schedules, last] = await Promise.all([this.deps.store.list(), this.deps.store.lastOccurrences()]);
    return schedules.map((s) => this.view(s, last.get(s.id) ?? null));
  }

  occurrences(id: string, limit: number): Promise<Occurrence[]> {
    return this.deps.store.get(id).then(() => this.deps.store.occurrences(id, limit));
  }

  /** Throws InputError naming the field, NotAllowedError when the caller may not do what the schedule would. */
  async create(input: ScheduleInput, by: ScheduleCaller): Promise<ScheduleView> {
    const checked = await this.check(input, by);
    const created = await this.deps.store.create({
      ...checked,
      createdBy: { id: by.actor.id, email: by.actor.email },
    });
    await this.audited('schedule.created', by, created);
    await this.deps.onChanged();
    return this.view(created, null);
  }

  /** Changes the given fields; the whole result is checked again. Throws NotFoundError, InputError, NotAllowedError. */
  async update(input: ScheduleUpdate, by: ScheduleCaller): Promise<ScheduleView> {
    const current = await this.deps.store.get(input.id);
    const merged: ScheduleInput = {
      name: input.name ?? current.name,
      cron: input.cron ?? current.cron,
      timezone: input.timezone ?? current.timezone,
      runbookId: input.runbookId ?? current.runbookId,
      scope: input.scope ?? current.scope,
      params: input.params ?? current.params,
      mode: input.mode ?? current.mode,
      reasonCode: input.reasonCode === undefined ? current.reasonCode : input.reasonCode,
      reasonText: input.reasonText === undefined ? current.reasonText : input.reasonText,
      enabled: input.enabled ?? current.enabled,
      confirmation: input.confirmation,
    };
    // Confirmed once when it was saved: only a change of what or where it runs asks again.
    const sameTarget =
      merged.runbookId === current.runbookId &&
      merged.scope.kind === current.scope.kind &&
      current.mode === 'run';
    const checked = await this.check(merged, by, sameTarget);
    const updated = await this.deps.store.update(input.id, { ...current, ...checked });
    await this.audited('schedule.updated', by, updated, {
      changed: Object.keys(input).filter((k) => k !== 'id'),
    });
    await this.deps.onChanged();
    return this.view(updated, (await this.deps.store.lastOccurrences()).get(updated.id) ?? null);
  }

  async delete(id: string, by: ScheduleCaller): Promise<{ deleted: true }> {
    const deleted = await this.deps.store.delete(id);
    await this.audited('schedule.deleted', by, deleted);
    await this.deps.onChanged();
    return { deleted: true };
  }

  /** The next fire times of an expression, for the console's form as the operator types. */
  preview(cron: string, timezone: string, count: number): string[] {
    return nextFireTimes(cron, timezone, count).map((d) => d.toISOString());
  }

  private async check(
    input: ScheduleInput,
    by: ScheduleCaller,
    confirmed = false,
  ): Promise<Omit<NewSchedule, 'createdBy'>> {
    const { service } = this.deps;
    const def = service.runbook(input.runbookId);
    // A file is uploaded for one run and checked by its operator: there is none to run on later.
    if (def.input) {
      throw new InputError(
        'runbookId',
        `runbook ${def.id} takes a CSV file with each run, so it cannot be scheduled; run it from Run… or exec --input`,
      );
    }
    // A schedule acts later with the platform's rights, so saving one needs the rights it will use.
    for (const capability of input.mode === 'run'
      ? [RUN_CAPABILITY, def.capability]
      : [PREFLIGHT_CAPABILITY]) {
      if (!by.authorize(capability)) throw new NotAllowedError(capability);
    }
    const scope: ResolvedScope = await resolveScope(this.deps.pool, input.scope);
    if (!def.scopes.includes(scope.kind)) {
      throw new InputError(
        'scope',
        `runbook ${def.id} does not support scope ${scope.kind} (supports ${def.scopes.join(', ')})`,
      );
    }
    let params: Record<string, unknown>;
    try {
      params = parseParameters(def.parameters, input.params);
    } catch (error) {
      if (error instanceof ParameterError) throw new InputError(`params.${error.parameter}`, error.message);
      throw error;
    }
    let reason: { reasonCode: NewSchedule['reasonCode']; reasonText: string | null } = {
      reasonCode: null,
      reasonText: null,
    };
    if (input.mode === 'run') {
      // Every scheduled run is unattended, so it always carries a stored reason, whatever its scope.
      if (!input.reasonCode?.trim())
        throw new InputError('reasonCode', 'a run-mode schedule needs a reason code');
      if (!input.reasonText?.trim())
        throw new InputError('reasonText', 'a run-mode schedule needs a reason text');
      reason = validateReason(scope.kind, input);
      if (scope.kind === 'all' && !confirmed && input.confirmation !== def.confirmationPhrase) {
        throw new InputError(
          'confirmation',
          `type the confirmation phrase ${def.confirmationPhrase} exactly to schedule runs on all tenants`,
        );
      }
    }
    return {
      name: input.name,
      cron: input.cron,
      timezone: input.timezone,
      runbookId: def.id,
      scope,
      params,
      mode: input.mode,
      ...reason,
      enabled: input.enabled,
    };
  }

  private view(s: Schedule, lastOccurrence: Occurrence | null): ScheduleView {
    const { version: _version, ...rest } = s;
    return {
      ...rest,
      nextFireTimes: s.enabled ? this.preview(s.cron, s.timezone, NEXT_FIRE_COUNT) : [],
      lastOccurrence,
    };
  }

  private async audited(
    action: AuditAction,
    by: ScheduleCaller,
    s: Schedule,
    extra: Record<string, unknown> = {},
  ): Promise<void> {
    await this.deps.audit.record({
      action,
      actorLabel: by.actor.email,
      actor: by.actor,
      runbookId: s.runbookId,
      scope: s.scope,
      ip: by.ip,
      details: {
        scheduleId: s.id,
        name: s.name,
        cron: s.cron,
        timezone: s.timezone,
        mode: s.mode,
        enabled: s.enabled,
        ...extra,
      },
    });
  }
}
