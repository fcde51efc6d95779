import type { AuditEvent } from '../api/types.ts';
import { formatCount } from '../format/numbers.ts';
import { formatDateTime } from '../format/time.ts';
import type { BadgeColor } from '../status/badge-specs.ts';

/** Every action the daemon writes (its AuditAction type, read off the API: no server code here). */
export type AuditAction = AuditEvent['action'];

interface ActionSpec {
  label: string;
  color: BadgeColor;
}

/**
 * Audit actions in operator words: the one home of their labels. `Record<AuditAction, …>` makes an
 * action the daemon starts writing a type error here until it has a label, so the log and the
 * Action filter never show a raw id.
 */
export const AUDIT_ACTION_LABELS: Readonly<Record<AuditAction, ActionSpec>> = {
  'run.started': { label: 'Run started', color: 'brand' },
  'run.completed': { label: 'Run completed', color: 'success' },
  'run.failed': { label: 'Run failed', color: 'danger' },
  'run.cancelled': { label: 'Run cancelled', color: 'subtle' },
  'run.refused': { label: 'Run refused', color: 'warning' },
  'run.interrupted': { label: 'Run interrupted', color: 'severe' },
  'run.pause_requested': { label: 'Pause requested', color: 'warning' },
  'run.resumed': { label: 'Run resumed', color: 'brand' },
  'run.cancel_requested': { label: 'Cancel requested', color: 'warning' },
  'run.journal_dropped': { label: 'Run journal dropped', color: 'subtle' },
  'run.hook_completed': { label: 'Run hook completed', color: 'subtle' },
  'run.hook_failed': { label: 'Run hook failed', color: 'warning' },
  'runbook.preflight': { label: 'Preflight', color: 'informative' },
  'runbook.preflight_failed': { label: 'Preflight failed', color: 'danger' },
  'auth.sign_in_failed': { label: 'Sign-in failed', color: 'danger' },
  'auth.sign_in_throttled': { label: 'Sign-in throttled', color: 'severe' },
  'breakglass.activated': { label: 'Break-glass entered', color: 'danger' },
  'breakglass.deactivated': { label: 'Break-glass ended', color: 'informative' },
  'breakglass.expired': { label: 'Break-glass expired', color: 'informative' },
  'alert.destination_created': { label: 'Alert destination added', color: 'informative' },
  'alert.destination_updated': { label: 'Alert destination changed', color: 'informative' },
  'alert.destination_deleted': { label: 'Alert destination removed', color: 'informative' },
  'alert.test_sent': { label: 'Test alert sent', color: 'informative' },
  'alert.secrets_rotated': { label: 'Alert secrets rotated', color: 'important' },
  'schedule.created': { label: 'Schedule created', color: 'informative' },
  'schedule.updated': { label: 'Schedule changed', color: 'informative' },
  'schedule.deleted': { label: 'Schedule deleted', color: 'informative' },
  'schedule.drift_detected': { label: 'Drift detected', color: 'warning' },
  'approval.requested': { label: 'Approval requested', color: 'warning' },
  'approval.approved': { label: 'Run request approved', color: 'success' },
  'approval.rejected': { label: 'Run request rejected', color: 'danger' },
  'approval.expired': { label: 'Run request expired', color: 'subtle' },
  'approval.started': { label: 'Approved run started', color: 'brand' },
  'approval.withdrawn': { label: 'Run request withdrawn', color: 'subtle' },
  'approval.exemption_used': { label: 'Approval exemption used', color: 'important' },
  'approval.policy_changed': { label: 'Approval policy changed', color: 'informative' },
};

/** The Action filter's choices: every action, in the order above. */
export const AUDIT_ACTION_OPTIONS: readonly { value: AuditAction; label: string }[] = (
  Object.entries(AUDIT_ACTION_LABELS) as [AuditAction, ActionSpec][]
).map(([value, { label }]) => ({ value, label }));

function specOf(action: string): ActionSpec | undefined {
  return Object.hasOwn(AUDIT_ACTION_LABELS, action) ? AUDIT_ACTION_LABELS[action as AuditAction] : undefined;
}

/** An action's label; a row written by another daemon version may hold one not listed: shown as it is. */
export function auditActionLabel(action: string): string {
  return specOf(action)?.label ?? action;
}

/** A run that completed with some failures is not green: its outcome colours the entry. */
export function auditActionColor(action: string, outcome?: string | null): BadgeColor {
  if (action === 'run.completed' && outcome === 'partially_succeeded') return 'warning';
  return specOf(action)?.color ?? 'informative';
}

// Detail keys in operator words; others are turned into words ("retryAfterSeconds" → "Retry after seconds").
const DETAIL_LABELS: Readonly<Record<string, string>> = {
  affected_count: 'Affected',
  affected_at_least: 'Affected (at least)',
  updated_count: 'Updated',
  skipped_count: 'Skipped',
  error_count: 'Errors',
  total_scanned: 'Scanned',
  duration_ms: 'Duration (ms)',
  reasonCode: 'Reason code',
  reasonText: 'Reason',
  retryAfterSeconds: 'Retry after (s)',
  notifyOnSuccess: 'Notify on success',
  timezone: 'Time zone',
  ok: 'Sent',
};

/** Keys that hold identifiers, shown as they are (no thousands separator in an id). */
const isIdKey = (key: string) => /(^id$|Id$|_id$)/.test(key);

export function detailLabel(key: string): string {
  const known = DETAIL_LABELS[key];
  if (known) return known;
  const words = key
    .replace(/_count$/, '')
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replaceAll('_', ' ')
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function valueText(key: string, value: unknown): string {
  if (typeof value === 'number') return isIdKey(key) ? String(value) : formatCount(value);
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (Array.isArray(value)) return value.map((v) => valueText(key, v)).join(', ');
  if (value && typeof value === 'object') {
    const named = value as { name?: unknown; kind?: unknown };
    if (typeof named.name === 'string') {
      return typeof named.kind === 'string' ? `${named.name} (${named.kind})` : named.name;
    }
    return detailEntries(value as Record<string, unknown>)
      .map((e) => `${e.label} ${e.value}`)
      .join(', ');
  }
  // A time the daemon wrote (ISO-8601) reads as the console's other times do.
  if (typeof value === 'string' && ISO_TIME.test(value)) return formatDateTime(value);
  return String(value);
}

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

export interface DetailEntry {
  key: string;
  label: string;
  value: string;
}

/**
 * An event's details as labelled values: nested counts (a run's `summary`) are lifted to the top,
 * a named thing (a destination) is shown by its name, empty values are left out. Never raw JSON.
 */
export function detailEntries(details: Record<string, unknown> | null | undefined): DetailEntry[] {
  if (!details) return [];
  const entries: DetailEntry[] = [];
  for (const [key, value] of Object.entries(details)) {
    if (value === null || value === undefined || value === '') continue;
    if (key === 'summary' && typeof value === 'object' && !Array.isArray(value)) {
      entries.push(...detailEntries(value as Record<string, unknown>));
      continue;
    }
    entries.push({ key, label: detailLabel(key), value: valueText(key, value) });
  }
  return entries;
}

/** A short, readable summary of an event's details for tables and timelines: "Label: value · …". */
export function detailsSummary(details: Record<string, unknown> | null | undefined, max = 6): string {
  return detailEntries(details)
    .slice(0, max)
    .map(({ label, value }) => `${label}: ${value.length > 80 ? `${value.slice(0, 77)}…` : value}`)
    .join(' · ');
}
