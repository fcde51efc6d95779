import { describeScope, type ResolvedScope } from '@ops/runbook-sdk';
import type { RunFailure, RunRecord } from '../runs/index.ts';

// What an alert says, as data (stored with each delivery), and the two ways it is written out: an
// e-mail with a plain-text and an HTML part, and a Teams message carrying an Adaptive Card.

export const ALERT_EVENTS = [
  'run.failed',
  'run.partially_succeeded',
  'run.succeeded',
  'schedule.drift_detected',
  'approval.requested',
] as const;
export type AlertEvent = (typeof ALERT_EVENTS)[number];

export interface AlertMessage {
  event: AlertEvent | 'test';
  title: string;
  /** Label/value lines: runbook, scope, outcome, reason, who. */
  facts: { label: string; value: string }[];
  /** The counts, in a fixed order. */
  counts: { label: string; value: number }[];
  /** The first few failures, one line each. */
  failures: string[];
  link: { label: string; url: string };
  /** Whether the card shows it as a problem (red) or as news. */
  severity: 'attention' | 'good' | 'warning';
}

const COUNT_LABELS: [key: string, label: string][] = [
  ['affected_count', 'Affected'],
  ['updated_count', 'Updated'],
  ['skipped_count', 'Skipped'],
  ['error_count', 'Errors'],
  ['total_scanned', 'Scanned'],
];

const MAX_FAILURE_LINES = 5;

const OUTCOME_WORDS: Record<string, string> = {
  failed: 'failed',
  partially_succeeded: 'partially succeeded',
  succeeded: 'succeeded',
  cancelled: 'was cancelled',
};

function countsOf(values: Record<string, number | undefined>): AlertMessage['counts'] {
  return COUNT_LABELS.flatMap(([key, label]) => {
    const value = values[key];
    return typeof value === 'number' ? [{ label, value }] : [];
  });
}

function reasonOf(code: string | null, text: string | null): string {
  if (!code && !text) return 'none given';
  return [code, text].filter(Boolean).join(': ');
}

/** The alert event a finished run raises, or null (a cancelled run alerts nobody). */
export function eventForOutcome(outcome: string): AlertEvent | null {
  if (outcome === 'failed') return 'run.failed';
  if (outcome === 'partially_succeeded') return 'run.partially_succeeded';
  if (outcome === 'succeeded') return 'run.succeeded';
  return null;
}

export function runLink(publicUrl: string, runId: string): string {
  return `${publicUrl}/system/ops/runs/${runId}`;
}

/** The message for a run that ended; `event` is the run's (see eventForOutcome). */
export function runFinishedMessage(
  run: RunRecord,
  event: AlertEvent,
  options: { runbookTitle: string | null; publicUrl: string },
): AlertMessage {
  const preflight = run.context.preflight as { affected_count?: number } | undefined;
  const failures = (run.context.failures as RunFailure[] | undefined) ?? [];
  const interrupted = run.context.interrupted as { message?: string } | undefined;
  const lines = failures.map((f) => `tenant ${f.tenantExternalId ?? '-'}: ${f.errorClass}: ${f.message}`);
  if (interrupted?.message) lines.unshift(`interrupted: ${interrupted.message}`);
  const outcomeWord = OUTCOME_WORDS[run.outcome] ?? run.outcome;
  const runbook = options.runbookTitle ? `${options.runbookTitle} (${run.type})` : run.type;
  return {
    event,
    title: `Run ${run.id} ${outcomeWord}: ${run.type} on ${describeScope(run.scope)}`,
    facts: [
      { label: 'Runbook', value: runbook },
      { label: 'Scope', value: describeScope(run.scope) },
      { label: 'Outcome', value: run.outcome },
      { label: 'Reason', value: reasonOf(run.reasonCode, run.reasonText) },
      { label: 'Started by', value: run.actorLabel },
      { label: 'Finished', value: run.finishedAt ?? run.updatedAt },
    ],
    counts: countsOf({ affected_count: preflight?.affected_count, ...run.summary }),
    failures: [
      ...lines.slice(0, MAX_FAILURE_LINES),
      ...(lines.length > MAX_FAILURE_LINES ? [`… and ${lines.length - MAX_FAILURE_LINES} more`] : []),
    ],
    link: { label: 'View run', url: runLink(options.publicUrl, run.id) },
    severity: event === 'run.succeeded' ? 'good' : 'attention',
  };
}

/** A preflight-mode schedule found rows to repair. */
export function driftMessage(
  schedule: { id: string; name: string; runbookId: string },
  scope: ResolvedScope,
  preflight: Record<string, unknown>,
  options: { publicUrl: string; slotAt: string },
): AlertMessage {
  const numbers = Object.fromEntries(
    Object.entries(preflight).filter((e): e is [string, number] => typeof e[1] === 'number'),
  );
  return {
    event: 'schedule.drift_detected',
    title: `Drift detected: ${numbers.affected_count ?? 0} rows to repair for ${schedule.runbookId} on ${describeScope(scope)}`,
    facts: [
      { label: 'Schedule', value: schedule.name },
      { label: 'Runbook', value: schedule.runbookId },
      { label: 'Scope', value: describeScope(scope) },
      { label: 'Checked at', value: options.slotAt },
    ],
    counts: countsOf(numbers),
    failures: [],
    link: { label: 'Open runbooks', url: `${options.publicUrl}/system/ops/runbooks` },
    severity: 'warning',
  };
}

/** A run request waits for a second operator's approval. */
export function approvalRequestedMessage(
  request: {
    id: string;
    runbookId: string;
    scope: ResolvedScope;
    reasonCode: string | null;
    reasonText: string | null;
    preflight: { affected_count: number; margin: number | null };
    requester: { email: string };
    expiresAt: string;
  },
  options: { runbookTitle: string | null; publicUrl: string },
): AlertMessage {
  const runbook = options.runbookTitle ? `${options.runbookTitle} (${request.runbookId})` : request.runbookId;
  return {
    event: 'approval.requested',
    title: `Approval requested: ${request.runbookId} on ${describeScope(request.scope)} by ${request.requester.email}`,
    facts: [
      { label: 'Runbook', value: runbook },
      { label: 'Scope', value: describeScope(request.scope) },
      { label: 'Reason', value: reasonOf(request.reasonCode, request.reasonText) },
      { label: 'Requested by', value: request.requester.email },
      { label: 'Expires', value: request.expiresAt },
      ...(request.preflight.margin
        ? [{ label: 'Estimate margin (95%)', value: `± ${request.preflight.margin}` }]
        : []),
    ],
    counts: [{ label: 'Affected', value: request.preflight.affected_count }],
    failures: [],
    link: { label: 'Review request', url: `${options.publicUrl}/system/ops/approvals/${request.id}` },
    severity: 'warning',
  };
}

/** What "Send test" sends. */
export function testMessage(destinationName: string, publicUrl: string): AlertMessage {
  return {
    event: 'test',
    title: `Test alert from Ops Runbooks to ${destinationName}`,
    facts: [{ label: 'Sent', value: new Date().toISOString() }],
    counts: [],
    failures: [],
    link: { label: 'Open alert settings', url: `${publicUrl}/system/settings/alerts` },
    severity: 'good',
  };
}

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export function renderEmail(m: AlertMessage): { subject: string; text: string; html: string } {
  const text = [
    m.title,
    '',
    ...m.facts.map((f) => `${f.label}: ${f.value}`),
    ...(m.counts.length ? ['', ...m.counts.map((c) => `${c.label}: ${c.value}`)] : []),
    ...(m.failures.length ? ['', 'Failures:', ...m.failures.map((f) => `  ${f}`)] : []),
    '',
    `${m.link.label}: ${m.link.url}`,
    '',
  ].join('\n');
  const row = (label: string, value: string) =>
    `<tr><th align="left" style="padding:2px 12px 2px 0">${escapeHtml(label)}</th><td>${escapeHtml(value)}</td></tr>`;
  const html = [
    '<!doctype html><html><body style="font-family:Segoe UI,Arial,sans-serif">',
    `<h2 style="margin:0 0 12px">${escapeHtml(m.title)}</h2>`,
    `<table>${m.facts.map((f) => row(f.label, f.value)).join('')}</table>`,
    m.counts.length
      ? `<table style="margin-top:12px">${m.counts.map((c) => row(c.label, String(c.value))).join('')}</table>`
      : '',
    m.failures.length
      ? `<h3>Failures</h3><ul>${m.failures.map((f) => `<li>${escapeHtml(f)}</li>`).join('')}</ul>`
      : '',
    `<p><a href="${escapeHtml(m.link.url)}">${escapeHtml(m.link.label)}</a></p>`,
    '</body></html>',
  ].join('\n');
  return { subject: m.title, text, html };
}

/**
 * A Teams incoming-webhook message: one attachment holding an Adaptive Card (facts, counts, the
 * first failures and an "open" action).
 */
export function renderTeamsCard(m: AlertMessage) {
  const body: Record<string, unknown>[] = [
    { type: 'TextBlock', text: m.title, weight: 'Bolder', size: 'Medium', wrap: true, color: colorOf(m) },
    { type: 'FactSet', facts: m.facts.map((f) => ({ title: f.label, value: f.value })) },
  ];
  if (m.counts.length) {
    body.push({
      type: 'FactSet',
      separator: true,
      facts: m.counts.map((c) => ({ title: c.label, value: String(c.value) })),
    });
  }
  if (m.failures.length) {
    body.push({ type: 'TextBlock', text: 'Failures', weight: 'Bolder', separator: true });
    for (const f of m.failures) body.push({ type: 'TextBlock', text: f, wrap: true, isSubtle: true });
  }
  return {
    type: 'message',
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        contentUrl: null,
        content: {
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          type: 'AdaptiveCard',
          version: '1.4',
          msteams: { width: 'Full' },
          body,
          actions: [{ type: 'Action.OpenUrl', title: m.link.label, url: m.link.url }],
        },
      },
    ],
  };
}

function colorOf(m: AlertMessage): 'Attention' | 'Good' | 'Warning' {
  return m.severity === 'attention' ? 'Attention' : m.severity === 'good' ? 'Good' : 'Warning';
}
