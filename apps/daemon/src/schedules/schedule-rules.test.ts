import cron from 'node-cron';
import { describe, expect, it } from 'vitest';
import { canonicalTimeZone, cronProblem, nextFireTimes } from './schedule-rules.ts';
import { slotOfKey } from './scheduler.ts';

describe('schedule rules', () => {
  it('accepts 5- and 6-field cron expressions and says what is wrong with others', () => {
    expect(cronProblem('0 3 * * *')).toBeNull();
    expect(cronProblem('*/10 * * * * *')).toBeNull();
    expect(cronProblem('0 9 * * MON-FRI')).toBeNull();
    expect(cronProblem('every day')).toMatch(/^A cron expression has 5 or 6 fields; this one has 2\./);
    expect(cronProblem('0 25 * * *')).toBe('The hour field (2nd) has “25”; hours run from 0 to 23.');
    expect(cronProblem('61 * * * *')).not.toMatch(/invalid expression/);
  });

  it('accepts only what node-cron, which runs the schedules, accepts too', () => {
    for (const ok of [
      '0 3 * * *',
      '*/10 * * * * *',
      '0 9 * * monday',
      '0 0 1 january *',
      '0 0 L * *',
      '0 0 * * 1#2',
    ]) {
      expect(cronProblem(ok), ok).toBeNull();
      expect(cron.validate(ok), ok).toBe(true);
    }
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
