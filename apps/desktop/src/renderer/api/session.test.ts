import { describe, expect, it } from 'vitest';
import { matchReasonCode } from './reasons.ts';
import { safeNextPath, signInFailureMessage } from './session.ts';

describe('safeNextPath', () => {
  it('returns to the console page the operator asked for', () => {
    expect(safeNextPath('/system/ops/runs/42')).toBe('/system/ops/runs/42');
  });

  it('never leaves the console after sign-in, whatever `next` says', () => {
    for (const next of [
      null,
      '',
      'https://evil.example',
      '//evil.example/system/',
      '/admin',
      '/system/login',
      '/system//x',
    ]) {
      expect(safeNextPath(next)).toBe('/system/ops/runbooks');
    }
  });
});

describe('signInFailureMessage', () => {
  it('tells wrong credentials from throttling', () => {
    expect(signInFailureMessage(401)).toMatch(/not correct/);
    expect(signInFailureMessage(429)).toMatch(/Wait a minute/);
  });
});

describe('matchReasonCode', () => {
  it('accepts a typed code or its label, in any case', () => {
    expect(matchReasonCode('DATA_REPAIR')).toBe('DATA_REPAIR');
    expect(matchReasonCode('incident')).toBe('INCIDENT');
    expect(matchReasonCode('Support request')).toBe('SUPPORT');
    expect(matchReasonCode('Security (SECURITY)')).toBe('SECURITY');
    expect(matchReasonCode('other')).toBeNull();
  });
});
