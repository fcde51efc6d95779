import { describe, expect, it } from 'vitest';
import type { RunRecord } from '../runs/index.ts';
import { eventForOutcome, renderEmail, renderTeamsCard, runFinishedMessage } from './messages.ts';

const run = {
  id: '42',
  type: 'findings.lifecycle.backfill',
  scope: { kind: 'tenant', tenantId: 3, externalId: 'acme<script>', name: 'Acme' },
  status: 'completed',
  outcome: 'partially_succeeded',
  actorLabel: 'operator@ops.local',
  reasonCode: 'INCIDENT',
  reasonText: 'INC-7 & friends',
  summary: { updated_count: 90, error_count: 1, total_scanned: 120 },
  context: {
    preflight: { affected_count: 100 },
    failures: [{ tenantExternalId: 'acme', errorClass: 'sqlstate P0001', message: 'read-only' }],
  },
  finishedAt: '2026-01-01T03:00:00.000Z',
  updatedAt: '2026-01-01T03:00:00.000Z',
} as unknown as RunRecord;

describe('alert messages', () => {
  const message = runFinishedMessage(run, 'run.partially_succeeded', {
    runbookTitle: 'Findings lifecycle backfill',
    publicUrl: 'https://ops.example.com',
  });

  it('raises an alert event for failures and successes, none for a cancelled run', () => {
    expect(['failed', 'partially_succeeded', 'succeeded', 'cancelled'].map(eventForOutcome)).toEqual([
      'run.failed',
      'run.partially_succeeded',
      'run.succeeded',
      null,
    ]);
  });

  it('carries the runbook, scope, outcome, counts, reason and the View run link', () => {
    expect(message.title).toBe(
      'Run 42 partially succeeded: findings.lifecycle.backfill on tenant acme<script>',
    );
    expect(message.counts).toEqual([
      { label: 'Affected', value: 100 },
      { label: 'Updated', value: 90 },
      { label: 'Errors', value: 1 },
      { label: 'Scanned', value: 120 },
    ]);
    expect(message.link).toEqual({ label: 'View run', url: 'https://ops.example.com/system/ops/runs/42' });
    expect(message.failures).toEqual(['tenant acme: sqlstate P0001: read-only']);
  });

  it('writes an e-mail with a plain-text part and an escaped HTML part', () => {
    const mail = renderEmail(message);
    expect(mail.text).toContain('Reason: INCIDENT: INC-7 & friends\n');
    expect(mail.text).toContain('View run: https://ops.example.com/system/ops/runs/42\n');
    expect(mail.html).toContain('INC-7 &amp; friends');
    expect(mail.html).toContain('tenant acme&lt;script&gt;');
    expect(mail.html).not.toContain('<script>');
    expect(mail.html).toContain('<a href="https://ops.example.com/system/ops/runs/42">View run</a>');
  });

  it('writes a Teams message holding one Adaptive Card with an open-URL action', () => {
    const card = renderTeamsCard(message);
    expect(card.type).toBe('message');
    expect(card.attachments).toHaveLength(1);
    const [attachment] = card.attachments;
    expect(attachment!.contentType).toBe('application/vnd.microsoft.card.adaptive');
    expect(attachment!.content).toMatchObject({
      type: 'AdaptiveCard',
      version: '1.4',
      actions: [
        { type: 'Action.OpenUrl', title: 'View run', url: 'https://ops.example.com/system/ops/runs/42' },
      ],
    });
    expect(attachment!.content.body[0]).toMatchObject({ type: 'TextBlock', color: 'Attention' });
  });
});
