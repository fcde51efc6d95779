import type { AuditEvent } from '../api/types.ts';

export const AUDIT_CSV_COLUMNS = [
  'id',
  'occurred_at',
  'action',
  'actor',
  'run_id',
  'runbook_id',
  'scope',
  'outcome',
  'ip',
  'details',
] as const;

/**
 * One CSV cell (RFC 4180). Cells that a spreadsheet would run as a formula (=, +, -, @, tab, CR)
 * get a leading apostrophe: audit text comes partly from operators and must not execute.
 */
export function csvCell(value: unknown): string {
  let text =
    value === null || value === undefined
      ? ''
      : typeof value === 'object'
        ? JSON.stringify(value)
        : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function auditEventsToCsv(events: readonly AuditEvent[]): string {
  const lines = [AUDIT_CSV_COLUMNS.join(',')];
  for (const e of events) {
    lines.push(
      [e.id, e.occurredAt, e.action, e.actorLabel, e.runId, e.runbookId, e.scope, e.outcome, e.ip, e.details]
        .map(csvCell)
        .join(','),
    );
  }
  return `${lines.join('\r\n')}\r\n`;
}

/** "audit-2026-11-26T14-02-11Z.csv": sortable and safe on every file system. */
export function auditCsvFileName(now: Date = new Date()): string {
  return `audit-${now
    .toISOString()
    .replace(/\.\d+Z$/, 'Z')
    .replaceAll(':', '-')}.csv`;
}
