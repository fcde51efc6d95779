import { humanizeIdentifier } from '../format/names.ts';
import { formatDateTime, formatRelative } from '../format/time.ts';
import { describeCapability } from './capabilities.ts';

/** An API failure in the words an operator needs: what happened, and what to do about it. */
export interface OperatorError {
  /** The tRPC code (CONFLICT, FORBIDDEN…), NETWORK when the daemon did not answer. */
  code: string;
  title: string;
  detail: string;
  /** On a lock conflict: the run that holds the lock, to link to. */
  holderRunId?: string;
  /** On bad input: the field the daemon named. */
  field?: string;
}

interface ErrorData {
  code?: string;
  httpStatus?: number;
  field?: string | null;
  holder?: { runId: string; actor: string; startedAt: string | null } | null;
  capability?: string | null;
}

const FIELD_LABELS: Record<string, string> = {
  reasonCode: 'Reason code',
  reasonText: 'Reason',
  confirmation: 'Confirmation phrase',
  tenant: 'Tenant',
  scope: 'Scope',
  runbookId: 'Runbook',
  id: 'Run',
  name: 'Name',
  cron: 'Cron expression',
  timezone: 'Time zone',
  mode: 'Mode',
  params: 'Parameters',
  recipients: 'Recipients',
  smtpUrl: 'SMTP server',
  webhookUrl: 'Webhook URL',
};

const PARAMETER_PREFIX = 'params.';

/** The label an operator sees for a field the daemon named ("reasonText" → "Reason", "params.dryRun" → "Dry run"). */
export function fieldLabel(field: string): string {
  if (field.startsWith(PARAMETER_PREFIX)) return humanizeIdentifier(field.slice(PARAMETER_PREFIX.length));
  return FIELD_LABELS[field] ?? FIELD_LABELS[field.split('.')[0]!] ?? field;
}

/** A bad-input error aimed at one form field. */
export interface FieldError {
  /**
   * The form field to show it on: the first segment of the daemon's path ("recipients.2" →
   * "recipients", "scope.tenantId" → "scope"), except runbook parameters, kept whole ("params.dryRun").
   */
  field: string;
  /** The entry of a list field that is wrong ("recipients.2" → 2), when the daemon said. */
  index: number | null;
  /** The daemon's message as a sentence, without the field name it starts with. */
  message: string;
}

/** The field a BAD_REQUEST names, to show the message on that field; null for any other error. */
export function fieldErrorOf(error: unknown): FieldError | null {
  const data = errorData(error);
  if (data?.code !== 'BAD_REQUEST' || !data.field) return null;
  const path = data.field;
  const segments = path.split('.');
  const isParameter = path.startsWith(PARAMETER_PREFIX);
  const indexSegment = isParameter ? undefined : segments[1];
  return {
    field: isParameter ? path : segments[0]!,
    index: indexSegment !== undefined && /^\d+$/.test(indexSegment) ? Number(indexSegment) : null,
    message: sentence(withoutFieldPrefix(messageOf(error), path)),
  };
}

/** Zod messages arrive as "cron: not a cron expression…"; the form already says which field. */
function withoutFieldPrefix(message: string, field: string): string {
  return message.startsWith(`${field}: `) ? message.slice(field.length + 2) : message;
}

/** What a 403 says: the capability, what it allows, and how to get it. */
export function missingCapabilityError(capability: string): OperatorError {
  return {
    code: 'FORBIDDEN',
    title: 'You do not have permission for this',
    detail: `This needs the capability ${capability} (${describeCapability(capability)}). Ask a platform administrator to grant it, or use break-glass if this is an emergency.`,
  };
}

const CODE_BY_STATUS: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  409: 'CONFLICT',
  412: 'PRECONDITION_FAILED',
  429: 'TOO_MANY_REQUESTS',
  503: 'SERVICE_UNAVAILABLE',
};

/**
 * The error's data: tRPC's own, or, for answers the daemon's HTTP layer gives before tRPC (the
 * tenant-plane 404, the origin check's 403), a code read off the HTTP status.
 */
function errorData(error: unknown): ErrorData | null {
  if (typeof error !== 'object' || error === null) return null;
  const data = (error as { data?: unknown }).data;
  if (typeof data === 'object' && data !== null && 'code' in data) return data as ErrorData;
  const status = (error as { meta?: { response?: { status?: unknown } } }).meta?.response?.status;
  if (typeof status !== 'number') return null;
  return {
    code: CODE_BY_STATUS[status] ?? (status >= 500 ? 'INTERNAL_SERVER_ERROR' : `HTTP_${status}`),
    httpStatus: status,
  };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The tRPC code of an API error (UNAUTHORIZED, NOT_FOUND…), or null for anything else. */
export function apiErrorCode(error: unknown): string | null {
  return errorData(error)?.code ?? null;
}

/** Turns any error from the tRPC client into an OperatorError. Never throws. */
export function describeApiError(error: unknown, now: Date = new Date()): OperatorError {
  const data = errorData(error);
  const message = messageOf(error);
  if (!data?.code) {
    return {
      code: 'NETWORK',
      title: 'The ops daemon cannot be reached',
      detail: 'Check that the daemon is running and that this computer can reach it, then try again.',
    };
  }
  switch (data.code) {
    case 'CONFLICT': {
      const holder = data.holder;
      if (!holder) {
        return { code: 'CONFLICT', title: 'The data changed under you', detail: sentence(message) };
      }
      const since = holder.startedAt
        ? ` since ${formatDateTime(holder.startedAt)} (${formatRelative(holder.startedAt, now)})`
        : '';
      return {
        code: 'CONFLICT',
        title: 'Another run holds the lock for this scope',
        detail: `Run #${holder.runId}, started by ${holder.actor}, has been working on an overlapping scope${since}. Wait for it to finish, or open it to pause or cancel it.`,
        holderRunId: holder.runId,
      };
    }
    case 'FORBIDDEN': {
      const capability = data.capability;
      if (!capability) return { code: 'FORBIDDEN', title: 'Not allowed', detail: sentence(message) };
      return missingCapabilityError(capability);
    }
    case 'PRECONDITION_FAILED':
      return {
        code: 'PRECONDITION_FAILED',
        title: 'Nothing to do',
        detail: 'Preflight found no records to change in this scope, so no run was started.',
      };
    case 'BAD_REQUEST': {
      const field = data.field ?? undefined;
      return {
        code: 'BAD_REQUEST',
        title: field ? `Check “${fieldLabel(field)}”` : 'Check what you entered',
        detail: sentence(field ? withoutFieldPrefix(message, field) : message),
        ...(field ? { field } : {}),
      };
    }
    case 'UNAUTHORIZED':
      return { code: 'UNAUTHORIZED', title: 'Your session has ended', detail: 'Sign in again to continue.' };
    case 'NOT_FOUND':
      return {
        code: 'NOT_FOUND',
        title: 'Not found',
        detail: 'It does not exist, or it is not available to you.',
      };
    case 'TOO_MANY_REQUESTS':
      // The API says 429 when a limit of the daemon is reached (concurrent preflights); its message
      // names the limit. Nothing was done either way.
      return {
        code: 'TOO_MANY_REQUESTS',
        title: 'The daemon is busy',
        detail: message ? `${sentence(message)} Nothing was changed.` : 'Wait a minute, then try again.',
      };
    case 'SERVICE_UNAVAILABLE':
      return {
        code: 'SERVICE_UNAVAILABLE',
        title: 'The database is unreachable',
        detail: 'The daemon is running but cannot reach its PostgreSQL database. Nothing was changed.',
      };
    default:
      return {
        code: data.code,
        title: 'Something went wrong on the daemon',
        detail: `${sentence(message)} The daemon's log has the details.`,
      };
  }
}

/** Daemon messages are lower-case fragments ("a reason code is required…"); make them sentences. */
function sentence(text: string): string {
  const trimmed = text.trim();
  if (!trimmed) return '';
  const capital = trimmed[0]!.toUpperCase() + trimmed.slice(1);
  return /[.!?]$/.test(capital) ? capital : `${capital}.`;
}
