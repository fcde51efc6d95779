import { describe, expect, it } from 'vitest';
import { loadConfig, parseDuration } from '../config.ts';
import { deployIdentitySchema, needsApproval } from './policy.ts';

describe('approval policy', () => {
  it('holds all-tenants runs by default mode, every run in every_run mode, none in none', () => {
    expect(needsApproval('all_tenants', 'all')).toBe(true);
    expect(needsApproval('all_tenants', 'tenant')).toBe(false);
    expect(needsApproval('every_run', 'tenant')).toBe(true);
    expect(needsApproval('none', 'all')).toBe(false);
  });

  it('accepts deploy identities of letters, digits and . _ @ : + - only', () => {
    expect(deployIdentitySchema.parse('deploy@ci-runner-3')).toBe('deploy@ci-runner-3');
    expect(deployIdentitySchema.safeParse('release pipeline').success).toBe(false);
    expect(deployIdentitySchema.safeParse('').success).toBe(false);
  });
});

describe('OPS_APPROVAL_TTL', () => {
  it('reads durations in ms, s, m, h and d, and a bare number as seconds', () => {
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('90s')).toBe(90_000);
    expect(parseDuration('30m')).toBe(1_800_000);
    expect(parseDuration('1h')).toBe(3_600_000);
    expect(parseDuration('2d')).toBe(172_800_000);
    expect(parseDuration('45')).toBe(45_000);
    expect(parseDuration('soon')).toBeNull();
  });

  it('defaults to one hour, and a bad value stops start-up naming the variable and the rule', () => {
    expect(loadConfig({}).approvalTtlMs).toBe(3_600_000);
    expect(loadConfig({ OPS_APPROVAL_TTL: '2s' }).approvalTtlMs).toBe(2_000);
    expect(() => loadConfig({ OPS_APPROVAL_TTL: '500ms' })).toThrow(
      'environment variable OPS_APPROVAL_TTL: must be a duration from 1s to 7d, like 90s, 30m or 1h',
    );
    expect(() => loadConfig({ OPS_APPROVAL_TTL: 'tomorrow' })).toThrow(
      /OPS_APPROVAL_TTL: must be a duration/,
    );
    expect(() => loadConfig({ OPS_DEPLOY_IDENTITY: 'a b' })).toThrow(
      /^environment variable OPS_DEPLOY_IDENTITY: /,
    );
  });
});
