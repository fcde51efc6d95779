import { describe, expect, it } from 'vitest';
import { canonicalTimeZone, cronExpressionProblem, timeZoneProblem } from './cron-rules.ts';

describe('cron expression rules', () => {
  it('accepts what schedules use: 5 or 6 fields, names, ranges, lists, steps, L and #', () => {
    for (const ok of [
      '0 3 * * *',
      '*/10 * * * * *',
      '0 9 * * MON-FRI',
      '0 9 * * monday',
      '0 0 1 january *',
      '0,30 8-18/2 * * 1-5',
      '0 0 L * *',
      '0 0 * * 1#2',
      '0 0 * * 7',
    ]) {
      expect(cronExpressionProblem(ok), ok).toBeNull();
    }
  });

  it('names the field, what it holds and the allowed range, in our words', () => {
    expect(cronExpressionProblem('61 * * * *')).toBe(
      'The minute field (1st) has “61”; minutes run from 0 to 59.',
    );
    expect(cronExpressionProblem('0 25 * * *')).toBe(
      'The hour field (2nd) has “25”; hours run from 0 to 23.',
    );
    expect(cronExpressionProblem('0 0 0 * *')).toBe(
      'The day of month field (3rd) has “0”; days of the month run from 1 to 31.',
    );
    expect(cronExpressionProblem('0 0 * 13 *')).toBe(
      'The month field (4th) has “13”; months run from 1 to 12 (or names like FEB).',
    );
    expect(cronExpressionProblem('0 0 0 * * 8')).toMatch(
      /^The weekday field \(6th\) has “8”; weekdays run from 0 to 7/,
    );
    expect(cronExpressionProblem('99 * * * * *')).toBe(
      'The second field (1st) has “99”; seconds run from 0 to 59.',
    );
  });

  it('says what shape is wrong: field count, steps, ranges, empty items', () => {
    expect(cronExpressionProblem('every day')).toMatch(
      /^A cron expression has 5 or 6 fields; this one has 2\./,
    );
    expect(cronExpressionProblem('')).toMatch(/^Enter a cron expression\./);
    expect(cronExpressionProblem('*/0 * * * *')).toMatch(/the step after \/ is a whole number from 1/);
    expect(cronExpressionProblem('5/15 * * * *')).toMatch(/a step goes after \* or a range/);
    expect(cronExpressionProblem('30-10 * * * *')).toMatch(/runs backwards/);
    expect(cronExpressionProblem('1,,2 * * * *')).toMatch(/empty item/);
    expect(cronExpressionProblem('x * * * *')).toMatch(/not a number, range \(1-5\), list \(1,5\) or step/);
  });

  it('never answers in the scheduler library’s words', () => {
    for (const bad of ['61 * * * *', '? * * * *', '0 0 * * FUNDAY', 'a b c d e f g']) {
      expect(cronExpressionProblem(bad)).not.toMatch(/invalid expression|is a invalid/);
    }
  });
});

describe('time zone rules', () => {
  it('knows IANA zones by their canonical name, whatever the case', () => {
    expect(canonicalTimeZone('europe/berlin')).toBe('Europe/Berlin');
    expect(canonicalTimeZone('Mars/Olympus_Mons')).toBeNull();
    expect(canonicalTimeZone('')).toBeNull();
  });

  it('refuses an unknown zone with a message naming it, never falling back to UTC', () => {
    expect(timeZoneProblem('Mars/Olympus_Mons')).toBe(
      '“Mars/Olympus_Mons” is not a time zone this system knows; choose one from the list (an IANA name like Europe/Berlin, or UTC).',
    );
    expect(timeZoneProblem('  ')).toBe('Choose a time zone.');
    expect(timeZoneProblem('UTC')).toBeNull();
  });
});
