import { canonicalTimeZone, cronExpressionProblem, timeZoneProblem } from '@ops/runbook-sdk/schedule-timing';
import cron from 'node-cron';
import { z } from 'zod';

// What a schedule's timing may be, written once (@ops/runbook-sdk/schedule-timing, pure, so the
// console checks keystrokes with the same rule): our own words for the expression, the runtime's
// time-zone database for the zone. node-cron, which runs the schedules, must accept it too.

export { canonicalTimeZone };

/** Why the expression cannot be a schedule's, in operator words naming the field and its range; or null. */
export function cronProblem(expression: string): string | null {
  const problem = cronExpressionProblem(expression);
  if (problem) return problem;
  // Our rule accepts only what node-cron runs; should they ever differ, refuse in our words.
  return cron.validate(expression.trim())
    ? null
    : 'The scheduler cannot run this expression; use numbers, ranges (1-5), lists (1,5) and steps (*/15) in 5 fields (minute hour day-of-month month weekday).';
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
        message: timeZoneProblem(value) ?? `unknown time zone ${JSON.stringify(value)}`,
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
