import { REASON_TEXT_MAX } from '../api/reasons.ts';
import type { ReasonCode, RunRequest, Tenant } from '../api/types.ts';

/** What the operator has entered in the run dialog. */
export interface RunForm {
  scopeKind: 'all' | 'tenant';
  tenant: Tenant | null;
  reasonCode: ReasonCode | null;
  reasonText: string;
  confirmation: string;
}

export const EMPTY_RUN_FORM: RunForm = {
  scopeKind: 'all', // the spec's default: the broad scope, with its stronger safeguards
  tenant: null,
  reasonCode: null,
  reasonText: '',
  confirmation: '',
};

export type PreflightStatus =
  | { state: 'idle' }
  | { state: 'loading' }
  | { state: 'error' }
  /**
   * The exact count is still running, and the sampled estimate (with its 95% margin) found work:
   * a run may start on it. The run counts exactly itself before it writes and ends without writing
   * when the count is outside the margin (the daemon's run-confirmation.ts).
   */
  | { state: 'estimated'; affected: number; margin: number }
  | { state: 'ready'; affected: number };

/** What a run starts on: the exact count, or the estimate and its margin. */
export type ConfirmedCount = { affected: number; margin: number };

/** The count a run may start on, or null while there is none (loading, failed, nothing to do). */
export function confirmedCountOf(preflight: PreflightStatus): ConfirmedCount | null {
  if (preflight.state === 'ready')
    return preflight.affected > 0 ? { affected: preflight.affected, margin: 0 } : null;
  if (preflight.state === 'estimated') return { affected: preflight.affected, margin: preflight.margin };
  return null;
}

export interface RunFormCheck {
  /** True only when every rule holds and the preflight found work. */
  canStart: boolean;
  /** The first thing still missing, in words, shown beside the disabled Start button. */
  blocker: string | null;
  /** True when preflight found nothing to change: the run is refused, not just incomplete. */
  nothingToDo: boolean;
  needsReason: boolean;
  needsConfirmation: boolean;
  reasonTextTooLong: boolean;
  confirmationMatches: boolean;
}

/**
 * The run dialog's rules, the same as the daemon's: all tenants (and any run under break-glass)
 * needs a reason code and text (≤ 500 characters); all tenants also needs the typed phrase; a
 * single-tenant run needs its tenant; nothing starts while preflight is unknown or found 0.
 */
export function checkRunForm(
  form: RunForm,
  preflight: PreflightStatus,
  options: {
    confirmationPhrase: string;
    breakGlass: boolean;
    /** The first problem with the runbook's parameters (they must be right before preflight). */
    parametersProblem?: string | null;
  },
): RunFormCheck {
  const all = form.scopeKind === 'all';
  const needsReason = all || options.breakGlass;
  const needsConfirmation = all;
  const reasonTextTooLong = form.reasonText.length > REASON_TEXT_MAX;
  const confirmationMatches = form.confirmation.trim() === options.confirmationPhrase;
  const nothingToDo = preflight.state === 'ready' && preflight.affected === 0;

  const blocker =
    !all && !form.tenant
      ? 'Choose the tenant to run on.'
      : options.parametersProblem
        ? options.parametersProblem
        : preflight.state === 'loading' || preflight.state === 'idle'
          ? 'Waiting for the preflight count.'
          : preflight.state === 'error'
            ? 'The preflight failed; it must succeed before a run can start.'
            : nothingToDo
              ? 'Nothing to do: preflight found no records to change in this scope.'
              : needsReason && !form.reasonCode
                ? 'Choose a reason code.'
                : needsReason && form.reasonText.trim() === ''
                  ? 'Write the reason for this run.'
                  : reasonTextTooLong
                    ? `Shorten the reason to ${REASON_TEXT_MAX} characters.`
                    : needsConfirmation && !confirmationMatches
                      ? `Type ${options.confirmationPhrase} to confirm.`
                      : null;

  return {
    canStart: blocker === null,
    blocker,
    nothingToDo,
    needsReason,
    needsConfirmation,
    reasonTextTooLong,
    confirmationMatches,
  };
}

/**
 * The API request for a form that passed `checkRunForm`; `params` as from toParamsPayload. The
 * count is what the operator confirmed: exact (a number, or margin 0) or the estimate's.
 */
export function toRunRequest(
  runbookId: string,
  form: RunForm,
  confirmed: number | ConfirmedCount,
  params: Record<string, unknown> = {},
): RunRequest {
  const count = typeof confirmed === 'number' ? { affected: confirmed, margin: 0 } : confirmed;
  const scope =
    form.scopeKind === 'tenant' && form.tenant
      ? { kind: 'tenant' as const, tenantId: form.tenant.id }
      : { kind: 'all' as const };
  const reasonText = form.reasonText.trim();
  return {
    runbookId,
    scope,
    preflightAffectedCount: count.affected,
    ...(count.margin > 0 ? { preflightMargin: count.margin } : {}),
    ...(form.reasonCode ? { reasonCode: form.reasonCode } : {}),
    ...(reasonText ? { reasonText } : {}),
    ...(form.scopeKind === 'all' ? { confirmation: form.confirmation.trim() } : {}),
    ...(Object.keys(params).length ? { params } : {}),
  };
}
