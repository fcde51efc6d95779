import { describe, expect, it } from 'vitest';
import { InputError } from '../errors.ts';
import { validateReason } from './reasons.ts';

describe('validateReason', () => {
  it('refuses an all-tenants run without a reason code', () => {
    expect(() => validateReason('all', { reasonText: 'x' })).toThrow(
      new InputError('reasonCode', 'a reason code is required for an all-tenants run'),
    );
  });
  it('refuses an all-tenants run without a reason text', () => {
    expect(() => validateReason('all', { reasonCode: 'INCIDENT', reasonText: '   ' })).toThrow(
      'a reason text is required for an all-tenants run',
    );
  });
  it('refuses 501 characters and accepts 500', () => {
    expect(() => validateReason('all', { reasonCode: 'INCIDENT', reasonText: 'x'.repeat(501) })).toThrow(
      'reason text must be at most 500 characters (got 501)',
    );
    expect(
      validateReason('all', { reasonCode: 'INCIDENT', reasonText: 'x'.repeat(500) }).reasonText,
    ).toHaveLength(500);
  });
  it('lets a single-tenant run go without a reason but checks one that is given', () => {
    expect(validateReason('tenant', {})).toEqual({ reasonCode: null, reasonText: null });
    expect(() => validateReason('tenant', { reasonCode: 'data_repair' })).toThrow(
      /must be one of DATA_REPAIR/,
    );
  });
});
