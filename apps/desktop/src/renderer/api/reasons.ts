import type { ReasonCode } from './types.ts';

/** Reason codes with what they mean; `Record` keeps this in step with the API's list. */
export const REASON_CODE_LABELS: Readonly<Record<ReasonCode, string>> = {
  DATA_REPAIR: 'Data repair',
  INCIDENT: 'Incident',
  SUPPORT: 'Support request',
  SECURITY: 'Security',
};

export const REASON_CODES = Object.keys(REASON_CODE_LABELS) as ReasonCode[];
export const REASON_TEXT_MAX = 500;

export function reasonCodeLabel(code: string | null | undefined): string {
  if (!code) return '—';
  return code in REASON_CODE_LABELS ? `${REASON_CODE_LABELS[code as ReasonCode]} (${code})` : code;
}

/**
 * The reason code an operator typed into the picker, if it names one: the code itself or its
 * label, in any case ("incident", "Data repair", "DATA_REPAIR").
 */
export function matchReasonCode(typed: string): ReasonCode | null {
  const t = typed.trim().toLowerCase();
  if (!t) return null;
  return (
    REASON_CODES.find(
      (code) =>
        code.toLowerCase() === t ||
        REASON_CODE_LABELS[code].toLowerCase() === t ||
        reasonCodeLabel(code).toLowerCase() === t,
    ) ?? null
  );
}
