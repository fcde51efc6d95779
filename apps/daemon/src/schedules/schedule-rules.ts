import cron from 'node-cron';
import { z } from 'zod';

// What a schedule's timing may be, written once: node-cron's own parser judges the expression,
// and the runtime's time-zone database judges the zone.

/** Why node-cron refuses the expression, or null. */
export function cronProblem(expression: string): string | null {
  const result = cron.validateDetailed(expression);
  if (result.valid) return null;
  const first = result.errors[0];
  const detail = first
    ? first.field === 'expression'
      ? first.message
      : `${first.field}: ${first.message}`
    : '';
  return `not a cron expression (${detail || 'invalid'}); use 5 fields (minute hour day month weekday) or 6 with seconds first`;
}

/** The zone's canonical IANA name ("europe/berlin" → "Europe/Berlin"), or null when it is unknown. */
export function canonicalTimeZone(zone: string): string | null {
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
}

export const cronSchema = z
  .string()
  .trim()
  .max(120)
  .superRefine((value, ctx) => {
    const problem = cronProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

export const timeZoneSchema = z
  .string()
  .trim()
  .max(64)
  .transform((value, ctx) => {
    const zone = canonicalTimeZone(value);
    if (zone === null) {
      ctx.addIssue({
        code: 'custom',
        message: `unknown time zone ${JSON.stringify(value)}; use an IANA name like Europe/Berlin or UTC`,
      });
      return z.NEVER;
    }
    return zone;
  });

/** The next `count` times the expression fires in the zone, from now. */
export function nextFireTimes(expression: string, timeZone: string, count: number): Date[] {
  const task = cron.createTask(expression, () => {}, { timezone: timeZone });
  try {
    return task.getNextRuns(count);
  } finally {
    void task.destroy();
  }
}
