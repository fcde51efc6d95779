import { describe, expect, it } from 'vitest';
import { canonicalTimeZone, cronProblem, nextFireTimes } from './schedule-rules.ts';
import { slotOfKey } from './scheduler.ts';

describe('schedule rules', () => {
  it('accepts 5- and 6-field cron expressions and says what is wrong with others', () => {
    expect(cronProblem('0 3 * * *')).toBeNull();
    expect(cronProblem('*/10 * * * * *')).toBeNull();
    expect(cronProblem('0 9 * * MON-FRI')).toBeNull();
    expect(cronProblem('every day')).toMatch(/expected 5 or 6 fields but got 2/);
    expect(cronProblem('0 25 * * *')).toMatch(/hour/);
  });

  it('knows IANA time zones by their canonical name, whatever the case', () => {
    expect(canonicalTimeZone('europe/berlin')).toBe('Europe/Berlin');
    expect(canonicalTimeZone('UTC')).toBe('UTC');
    expect(canonicalTimeZone('Mars/Olympus_Mons')).toBeNull();
  });

  it('computes the next fire times in the zone', () => {
    const times = nextFireTimes('0 12 * * *', 'America/New_York', 2);
    expect(times).toHaveLength(2);
    for (const t of times) {
      expect(
        new Intl.DateTimeFormat('en-US', {
          timeZone: 'America/New_York',
          hour: 'numeric',
          hour12: false,
        }).format(t),
      ).toBe('12');
    }
    expect(times[1]!.getTime() - times[0]!.getTime()).toBeGreaterThanOrEqual(23 * 3600_000);
  });

  it("reads the tick back from node-cron's coordination key", () => {
    expect(slotOfKey('ops-schedule-7:2026-01-01T03:00:00.000Z', 'ops-schedule-7').toISOString()).toBe(
      '2026-01-01T03:00:00.000Z',
    );
    expect(() => slotOfKey('ops-schedule-8:2026-01-01T03:00:00.000Z', 'ops-schedule-7')).toThrow(
      /unexpected/,
    );
  });
});
