import { describe, expect, it } from 'vitest';
import {
  durationBetween,
  formatCountdown,
  formatDuration,
  formatInTimeZone,
  formatRelative,
  knownTimeZones,
} from './time.ts';

describe('time formats', () => {
  it('writes durations for people', () => {
    expect(formatDuration(850)).toBe('850 ms');
    expect(formatDuration(12_340)).toBe('12.3 s');
    expect(formatDuration(185_000)).toBe('3 min 05 s');
    expect(formatDuration(3_725_000)).toBe('1 h 02 min');
    expect(formatDuration(null)).toBe('—');
  });

  it('counts break-glass down in minutes and seconds', () => {
    expect(formatCountdown(29 * 60_000 + 41_000)).toBe('29:41');
    expect(formatCountdown(3_725_000)).toBe('1:02:05');
    expect(formatCountdown(-5)).toBe('0:00');
  });

  it('says how long ago, and measures running durations until now', () => {
    const now = new Date('2026-11-26T12:10:00Z');
    expect(formatRelative('2026-11-26T12:05:00Z', now)).toBe('5 minutes ago');
    expect(formatRelative('2026-11-26T12:09:58Z', now)).toBe('just now');
    expect(durationBetween('2026-11-26T12:09:00Z', null, now)).toBe(60_000);
  });

  it('reads a schedule’s fire time on the clock of its zone', () => {
    expect(formatInTimeZone('2026-12-01T02:30:00Z', 'Europe/Berlin')).toBe('Tue, Dec 1, 03:30 GMT+1');
    expect(formatInTimeZone('2026-07-01T02:30:00Z', 'UTC')).toBe('Wed, Jul 1, 02:30 UTC');
  });

  it('offers UTC first, then the IANA zones', () => {
    const zones = knownTimeZones();
    expect(zones[0]).toBe('UTC');
    expect(zones).toContain('Europe/Berlin');
    expect(zones.filter((z) => z === 'UTC')).toHaveLength(1);
  });
});
