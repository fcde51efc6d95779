import { ConfigError } from '../config.ts';
import { isConnectionError } from '../db/connection.ts';
import {
  ApprovalRequiredError,
  ConflictError,
  DatabaseUnavailableError,
  InputError,
  NotAllowedError,
  NotFoundError,
  NothingToDoError,
} from '../errors.ts';
import type { RunOutcome } from '../runs/index.ts';
import { PluginFaultError } from '../runs/plugin-faults.ts';

/** The exit codes of interfaces.md; deploy pipelines act on them. */
export const EXIT = {
  ok: 0,
  runFailed: 1,
  badInput: 2,
  lockHeld: 3,
  partiallySucceeded: 4,
  databaseUnreachable: 5,
  /** The run needs a second operator's approval (`--approval <request-id>`, or an exempting policy). */
  approvalRequired: 6,
} as const;

/** A usage error of the command line itself (unknown flag, missing argument). */
export class UsageError extends InputError {}

export const EXIT_FOR_OUTCOME: Record<RunOutcome, number> = {
  succeeded: EXIT.ok,
  partially_succeeded: EXIT.partiallySucceeded,
  failed: EXIT.runFailed,
  cancelled: EXIT.runFailed,
  pending: EXIT.runFailed,
};

/** The one translation of errors to exit codes and to the `--json` error code. */
export function classifyError(error: unknown): { exit: number; code: string } {
  if (error instanceof NothingToDoError) return { exit: EXIT.ok, code: 'NOTHING_TO_DO' };
  if (error instanceof InputError || error instanceof ConfigError)
    return { exit: EXIT.badInput, code: 'BAD_INPUT' };
  if (error instanceof NotFoundError) return { exit: EXIT.badInput, code: 'NOT_FOUND' };
  if (error instanceof NotAllowedError) return { exit: EXIT.badInput, code: 'FORBIDDEN' };
  if (error instanceof ApprovalRequiredError)
    return { exit: EXIT.approvalRequired, code: 'APPROVAL_REQUIRED' };
  if (error instanceof ConflictError) return { exit: EXIT.lockHeld, code: 'CONFLICT' };
  if (error instanceof DatabaseUnavailableError || isConnectionError(error))
    return { exit: EXIT.databaseUnreachable, code: 'DATABASE_UNAVAILABLE' };
  // A runbook's code failed (timed out, crashed, ran out of memory): the message names it and why.
  if (error instanceof PluginFaultError) return { exit: EXIT.runFailed, code: 'PLUGIN_FAULT' };
  return { exit: EXIT.runFailed, code: 'INTERNAL' };
}

/** Service field names as the command line spells them, so a message names the argument to fix. */
export const CLI_ARGUMENT_FOR_FIELD: Record<string, string> = {
  runbookId: '<runbook-id>',
  tenant: '--tenant',
  scope: '--tenant',
  reasonCode: '--reason-code',
  reasonText: '--reason-text',
  confirmation: '--confirm',
  id: '<run-id>',
  tenants: '--tenants',
  findings: '--findings',
  drift: '--drift',
  seed: '--seed',
  email: '--email',
  password: '--password',
  capability: '--capability',
  approval: '--approval',
};
