import { describe, expect, it } from 'vitest';
import {
  DELIVERY_STATUS_BADGES,
  OCCURRENCE_STATUS_BADGES,
  RUN_OUTCOME_BADGES,
  RUN_PHASES,
  RUN_STATUS_BADGES,
  runPhase,
  scopeLabel,
} from './badge-specs.ts';

describe('the status → badge mapping', () => {
  it('covers every status and outcome with a distinct label', () => {
    expect(Object.keys(RUN_STATUS_BADGES)).toEqual(['queued', 'running', 'paused', 'completed']);
    expect(Object.keys(RUN_OUTCOME_BADGES)).toEqual([
      'pending',
      'succeeded',
      'partially_succeeded',
      'failed',
      'cancelled',
    ]);
    const labels = [...Object.values(RUN_STATUS_BADGES), ...Object.values(RUN_OUTCOME_BADGES)].map(
      (b) => b.label,
    );
    expect(new Set(labels).size).toBe(labels.length);
  });

  it('colours outcomes by what they mean for customer data', () => {
    expect(RUN_OUTCOME_BADGES.succeeded.color).toBe('success');
    expect(RUN_OUTCOME_BADGES.partially_succeeded.color).toBe('warning');
    expect(RUN_OUTCOME_BADGES.failed.color).toBe('danger');
  });

  it('covers every delivery status, and tells a delivery that gave up from one still trying', () => {
    expect(Object.keys(DELIVERY_STATUS_BADGES)).toEqual(['pending', 'sending', 'delivered', 'failed']);
    expect(DELIVERY_STATUS_BADGES.delivered.color).toBe('success');
    expect(DELIVERY_STATUS_BADGES.failed).toMatchObject({ label: 'Not delivered', color: 'danger' });
    expect(DELIVERY_STATUS_BADGES.pending.color).not.toBe('danger');
  });

  it('covers every way a schedule tick ends, with drift as a warning and a skip as neutral', () => {
    expect(Object.keys(OCCURRENCE_STATUS_BADGES).sort()).toEqual(
      ['clean', 'drift_detected', 'failed', 'firing', 'nothing_to_do', 'skipped', 'started'].sort(),
    );
    expect(OCCURRENCE_STATUS_BADGES.drift_detected.color).toBe('warning');
    expect(OCCURRENCE_STATUS_BADGES.skipped.color).toBe('subtle');
    const labels = Object.values(OCCURRENCE_STATUS_BADGES).map((b) => b.label);
    expect(new Set(labels).size).toBe(labels.length);
  });

  it('labels scopes as operators say them', () => {
    expect(scopeLabel({ kind: 'all' })).toBe('All tenants');
    expect(scopeLabel({ kind: 'tenant', tenantId: 3, externalId: 'tenant-3', name: 'Acme 3' })).toBe(
      'Acme 3 (tenant-3)',
    );
  });
});

describe('a run’s phase, as the progress card tells it', () => {
  const run = (over: Partial<Parameters<typeof runPhase>[0]> = {}): Parameters<typeof runPhase>[0] => ({
    status: 'running',
    outcome: 'pending',
    requestedAction: null,
    progress: {},
    context: {},
    ...over,
  });

  it('tells a cancelled run as cancelled, not in the colour of a running one', () => {
    const phase = runPhase(run({ status: 'completed', outcome: 'cancelled' }));
    expect(phase).toBe('cancelled');
    expect(RUN_PHASES[phase].progressColor).not.toBe('brand');
    expect(RUN_PHASES[phase].caption(null)).toMatch(/^Cancelled/);
  });

  it('does not call a paused or finished run live, nor its counts "so far"', () => {
    expect(RUN_PHASES[runPhase(run({ status: 'paused' }))].moving).toBe(false);
    for (const outcome of ['succeeded', 'partially_succeeded', 'failed', 'cancelled'] as const) {
      expect(RUN_PHASES[runPhase(run({ status: 'completed', outcome }))].moving).toBe(false);
    }
    expect(RUN_PHASES[runPhase(run())].moving).toBe(true);
  });

  it('tells an interrupted run from one that failed on its own', () => {
    const interrupted = run({
      status: 'completed',
      outcome: 'failed',
      context: { interrupted: { reason: 'interrupted', message: 'its lease ran out' } },
    });
    expect(runPhase(interrupted)).toBe('interrupted');
    expect(runPhase(run({ status: 'completed', outcome: 'failed' }))).toBe('failed');
  });

  it('says why a run is throttled', () => {
    const why = 'replication lag 12.0 s (limit 10 s)';
    const phase = runPhase(run({ progress: { throttled: why } }));
    expect(phase).toBe('throttled');
    expect(RUN_PHASES[phase].caption(why)).toBe(
      `Throttled (${why}): the workers wait before their next chunk, then go on by themselves.`,
    );
  });

  it('tells an asked-for pause or cancel before the run has stopped', () => {
    expect(runPhase(run({ requestedAction: 'pause' }))).toBe('pausing');
    expect(runPhase(run({ requestedAction: 'cancel' }))).toBe('cancelling');
    expect(runPhase(run({ status: 'paused', requestedAction: 'cancel' }))).toBe('cancelling');
    expect(runPhase(run({ status: 'paused', requestedAction: 'pause' }))).toBe('paused');
  });
});
