import { describe, expect, it } from 'vitest';
import {
  DELIVERY_STATUS_BADGES,
  OCCURRENCE_STATUS_BADGES,
  RUN_OUTCOME_BADGES,
  RUN_STATUS_BADGES,
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
