import { cronExpressionProblem, timeZoneProblem } from '@ops/runbook-sdk/schedule-timing';
import { REASON_TEXT_MAX } from '../api/reasons.ts';
import type {
  ReasonCode,
  Runbook,
  Schedule,
  ScheduleCreateInput,
  ScheduleMode,
  ScheduleUpdateInput,
  Tenant,
} from '../api/types.ts';
import {
  firstParameterProblem,
  initialParameterValues,
  type ParameterValues,
  parameterProblems,
  toParamsPayload,
} from '../runbooks/parameter-values.ts';

/** What the operator has entered in the schedule dialog. */
export interface ScheduleForm {
  name: string;
  runbookId: string;
  cron: string;
  timezone: string;
  scopeKind: 'all' | 'tenant';
  tenant: Tenant | null;
  mode: ScheduleMode;
  reasonCode: ReasonCode | null;
  reasonText: string;
  confirmation: string;
  enabled: boolean;
  params: ParameterValues;
}

/** A new schedule: a nightly preflight (the mode that changes nothing) in the operator's zone. */
export function newScheduleForm(runbook: Runbook | undefined, timezone: string): ScheduleForm {
  return {
    name: '',
    runbookId: runbook?.id ?? '',
    cron: '0 3 * * *',
    timezone,
    scopeKind: 'all',
    tenant: null,
    mode: 'preflight',
    reasonCode: null,
    reasonText: '',
    confirmation: '',
    enabled: true,
    params: initialParameterValues(runbook?.parameters ?? []),
  };
}

/** The dialog's starting point for editing `schedule`. */
export function scheduleFormFrom(schedule: Schedule, runbook: Runbook | undefined): ScheduleForm {
  const scope = schedule.scope;
  return {
    name: schedule.name,
    runbookId: schedule.runbookId,
    cron: schedule.cron,
    timezone: schedule.timezone,
    scopeKind: scope.kind,
    tenant:
      scope.kind === 'tenant' ? { id: scope.tenantId, externalId: scope.externalId, name: scope.name } : null,
    mode: schedule.mode,
    reasonCode: schedule.reasonCode,
    reasonText: schedule.reasonText ?? '',
    confirmation: '',
    enabled: schedule.enabled,
    params: initialParameterValues(runbook?.parameters ?? [], schedule.params),
  };
}

/**
 * The daemon's rule: a run-mode schedule on all tenants is confirmed with the runbook's phrase
 * when it is saved; an edit asks again only when what or where it runs changes.
 */
export function needsConfirmation(form: ScheduleForm, original: Schedule | null): boolean {
  if (form.mode !== 'run' || form.scopeKind !== 'all') return false;
  const alreadyConfirmed =
    original !== null &&
    original.mode === 'run' &&
    original.scope.kind === 'all' &&
    original.runbookId === form.runbookId;
  return !alreadyConfirmed;
}

export interface ScheduleFormCheck {
  /** The first thing still missing, in words, beside the disabled Save button; null when complete. */
  blocker: string | null;
  needsConfirmation: boolean;
  confirmationMatches: boolean;
}

/** What must hold before Save: the same rules as the daemon's, so Save does not fail for them. */
export function checkScheduleForm(
  form: ScheduleForm,
  context: { runbook: Runbook | undefined; original: Schedule | null },
): ScheduleFormCheck {
  const { runbook, original } = context;
  const confirm = needsConfirmation(form, original);
  const phrase = runbook?.confirmationPhrase ?? '';
  const confirmationMatches = form.confirmation.trim() === phrase;
  const parameters = runbook?.parameters ?? [];
  const parametersProblem = firstParameterProblem(
    parameters,
    parameterProblems(parameters, form.params, { includeMissing: true }),
  );
  const run = form.mode === 'run';
  const blocker = !form.name.trim()
    ? 'Give the schedule a name.'
    : !runbook
      ? 'Choose the runbook to schedule.'
      : !form.cron.trim()
        ? 'Enter a cron expression.'
        : cronExpressionProblem(form.cron)
          ? 'Correct the cron expression.'
          : timeZoneProblem(form.timezone)
            ? 'Choose a time zone from the list.'
            : form.scopeKind === 'tenant' && !form.tenant
              ? 'Choose the tenant.'
              : parametersProblem
                ? parametersProblem
                : run && !form.reasonCode
                  ? 'Choose a reason code: scheduled runs are unattended.'
                  : run && !form.reasonText.trim()
                    ? 'Write the reason for these runs.'
                    : run && form.reasonText.length > REASON_TEXT_MAX
                      ? `Shorten the reason to ${REASON_TEXT_MAX} characters.`
                      : confirm && !confirmationMatches
                        ? `Type ${phrase} to confirm runs on all tenants.`
                        : null;
  return { blocker, needsConfirmation: confirm, confirmationMatches };
}

/** The fields both create and update send: the whole schedule, as the form shows it. */
function scheduleFields(form: ScheduleForm, runbook: Runbook | undefined) {
  const run = form.mode === 'run';
  return {
    name: form.name.trim(),
    cron: form.cron.trim(),
    timezone: form.timezone,
    runbookId: form.runbookId,
    scope:
      form.scopeKind === 'tenant' && form.tenant
        ? { kind: 'tenant' as const, tenantId: form.tenant.id }
        : { kind: 'all' as const },
    params: toParamsPayload(runbook?.parameters ?? [], form.params),
    mode: form.mode,
    reasonCode: run ? form.reasonCode : null,
    reasonText: run ? form.reasonText.trim() : null,
    enabled: form.enabled,
  };
}

export function toCreateInput(form: ScheduleForm, runbook: Runbook | undefined): ScheduleCreateInput {
  const confirmation = form.confirmation.trim();
  return { ...scheduleFields(form, runbook), ...(confirmation ? { confirmation } : {}) };
}

export function toUpdateInput(
  id: string,
  form: ScheduleForm,
  runbook: Runbook | undefined,
): ScheduleUpdateInput {
  return { id, ...toCreateInput(form, runbook) };
}

/**
 * The form's own verdict on the timing, by the daemon's rule (@ops/runbook-sdk/schedule-timing):
 * shown at once, and the daemon is asked for a preview only when both are right, so a half-typed
 * expression costs no request.
 */
export function timingProblems(
  cron: string,
  timezone: string,
): { cron: string | null; timezone: string | null } {
  return {
    cron: cron.trim() ? cronExpressionProblem(cron) : null,
    timezone: timeZoneProblem(timezone),
  };
}

/** Whether the form field the daemon named (`cron`, `scope`, …) still holds what was sent. */
export function unchangedSince(sent: ScheduleForm, now: ScheduleForm, field: string): boolean {
  if (field === 'scope') return sent.scopeKind === now.scopeKind && sent.tenant?.id === now.tenant?.id;
  if (field.startsWith('params.')) return JSON.stringify(sent.params) === JSON.stringify(now.params);
  if (field in sent) {
    const key = field as keyof ScheduleForm;
    return JSON.stringify(sent[key]) === JSON.stringify(now[key]);
  }
  return true;
}
