import type { BadgeColor } from '../status/badge-specs.ts';

/** Audit actions in operator words. Unknown actions (newer daemons) show as they are. */
export const AUDIT_ACTION_LABELS: Readonly<Record<string, { label: string; color: BadgeColor }>> = {
  'run.started': { label: 'Run started', color: 'brand' },
  'run.completed': { label: 'Run completed', color: 'success' },
  'run.failed': { label: 'Run failed', color: 'danger' },
  'run.refused': { label: 'Run refused', color: 'warning' },
  'run.interrupted': { label: 'Run interrupted', color: 'severe' },
  'run.pause_requested': { label: 'Pause requested', color: 'warning' },
  'run.resumed': { label: 'Run resumed', color: 'brand' },
  'run.cancel_requested': { label: 'Cancel requested', color: 'warning' },
  'runbook.preflight': { label: 'Preflight', color: 'informative' },
  'auth.sign_in_failed': { label: 'Sign-in failed', color: 'danger' },
  'auth.sign_in_throttled': { label: 'Sign-in throttled', color: 'severe' },
  'breakglass.activated': { label: 'Break-glass entered', color: 'danger' },
  'breakglass.deactivated': { label: 'Break-glass ended', color: 'informative' },
  'breakglass.expired': { label: 'Break-glass expired', color: 'informative' },
};

export function auditActionLabel(action: string): string {
  return AUDIT_ACTION_LABELS[action]?.label ?? action;
}

export function auditActionColor(action: string): BadgeColor {
  return AUDIT_ACTION_LABELS[action]?.color ?? 'informative';
}

/** A short, readable summary of an event's details for tables and timelines. */
export function detailsSummary(details: Record<string, unknown> | null | undefined): string {
  if (!details) return '';
  const parts: string[] = [];
  for (const [key, value] of Object.entries(details)) {
    if (value === null || value === undefined || value === '') continue;
    const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
    parts.push(`${key}: ${text.length > 80 ? `${text.slice(0, 77)}…` : text}`);
    if (parts.length === 4) break;
  }
  return parts.join(' · ');
}
