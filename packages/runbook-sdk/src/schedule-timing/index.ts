export {
  CRON_FIELDS,
  CRON_SECOND,
  type CronField,
  canonicalTimeZone,
  cronExpressionProblem,
  timeZoneProblem,
} from './cron-rules.ts';
