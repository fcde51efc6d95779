import { describe, expect, it } from 'vitest';
// biome-ignore lint/style/noRestrictedImports: a test, never bundled: it checks the console's labels against the daemon's list at run time (the AuditAction type does so at build time)
import { AUDIT_ACTIONS } from '../../../../daemon/src/audit/index.ts';
import {
  AUDIT_ACTION_LABELS,
  AUDIT_ACTION_OPTIONS,
  auditActionColor,
  auditActionLabel,
  detailsSummary,
} from './audit-actions.ts';

describe('audit action labels', () => {
  it('give every action the daemon writes a label of its own, and the Action filter lists them all', () => {
    // The daemon's list at run time, checked against the console's: the type keeps them equal at
    // build time, this keeps them equal should either be widened.
    expect(Object.keys(AUDIT_ACTION_LABELS).sort()).toEqual([...AUDIT_ACTIONS].sort());
    expect(AUDIT_ACTION_OPTIONS.map((o) => o.value).sort()).toEqual([...AUDIT_ACTIONS].sort());
    const labels = Object.values(AUDIT_ACTION_LABELS).map((s) => s.label);
    expect(new Set(labels).size).toBe(labels.length);
    for (const label of labels) expect(label).not.toMatch(/[._]/);
  });

  it('tells a cancelled run apart from a completed one, and never in green', () => {
    expect(auditActionLabel('run.cancelled')).toBe('Run cancelled');
    expect(auditActionColor('run.cancelled', 'cancelled')).not.toBe('success');
    expect(auditActionColor('run.completed', 'succeeded')).toBe('success');
    expect(auditActionColor('run.completed', 'partially_succeeded')).toBe('warning');
  });

  it('names new actions in operator words', () => {
    expect(auditActionLabel('alert.test_sent')).toBe('Test alert sent');
    expect(auditActionLabel('schedule.created')).toBe('Schedule created');
  });

  it('shows an action written by another daemon version as it is', () => {
    expect(auditActionLabel('plugin.future_thing')).toBe('plugin.future_thing');
    expect(auditActionColor('plugin.future_thing')).toBe('informative');
  });
});

describe('audit details summary', () => {
  it('reads as labelled values, counts with separators, never raw JSON', () => {
    const text = detailsSummary({
      summary: { updated_count: 5815, total_scanned: 12000, error_count: 0 },
      scope: 'tenant Acme (tenant-1)',
    });
    expect(text).toBe('Updated: 5,815 · Scanned: 12,000 · Errors: 0 · Scope: tenant Acme (tenant-1)');
    expect(text).not.toMatch(/[{}"]/);
  });

  it('shows a named thing by its name, booleans as yes/no, ids as they are, and skips empty values', () => {
    expect(
      detailsSummary({
        destination: { id: '12', kind: 'email', name: 'On-call mail', recipients: ['a@x.io'] },
        ok: false,
        error: 'the mail server refused the connection',
        scheduleId: 1234,
        reasonText: '',
      }),
    ).toBe(
      'Destination: On-call mail (email) · Sent: no · Error: the mail server refused the connection · Schedule id: 1234',
    );
  });

  it('shows times as the console does elsewhere, not as ISO text', () => {
    expect(detailsSummary({ expiresAt: '2026-11-28T09:27:08.789Z' })).toMatch(/^Expires at: (?!2026-11-28T)/);
  });

  it('turns unknown keys into words', () => {
    expect(detailsSummary({ retryAfterSeconds: 30, reasonCode: 'INCIDENT', last_heartbeat_at: 'x' })).toBe(
      'Retry after (s): 30 · Reason code: INCIDENT · Last heartbeat at: x',
    );
  });
});
