import { InputError } from '../errors.ts';

export const REASON_CODES = ['DATA_REPAIR', 'INCIDENT', 'SUPPORT', 'SECURITY'] as const;
export type ReasonCode = (typeof REASON_CODES)[number];
export const REASON_TEXT_MAX = 500;

export interface RunReason {
  reasonCode: ReasonCode | null;
  reasonText: string | null;
}

/**
 * The reason rules: an all-tenants run needs a code and a text (at most 500 characters); a
 * single-tenant run may give one, and what it gives must be valid. Throws InputError.
 */
export function validateReason(
  scopeKind: 'all' | 'tenant',
  input: { reasonCode?: string | null; reasonText?: string | null },
): RunReason {
  const code = input.reasonCode?.trim() || null;
  const text = input.reasonText?.trim() || null;
  if (code !== null && !(REASON_CODES as readonly string[]).includes(code)) {
    throw new InputError(
      'reasonCode',
      `reason code must be one of ${REASON_CODES.join(', ')} (got ${JSON.stringify(code)})`,
    );
  }
  if (text !== null && text.length > REASON_TEXT_MAX) {
    throw new InputError(
      'reasonText',
      `reason text must be at most ${REASON_TEXT_MAX} characters (got ${text.length})`,
    );
  }
  if (scopeKind === 'all') {
    if (code === null) throw new InputError('reasonCode', 'a reason code is required for an all-tenants run');
    if (text === null) throw new InputError('reasonText', 'a reason text is required for an all-tenants run');
  }
  return { reasonCode: code as ReasonCode | null, reasonText: text };
}
