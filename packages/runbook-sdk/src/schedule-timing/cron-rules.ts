// A schedule's cron expression, judged in our own words: which field, what was written, what is
// allowed. Pure (no Node modules) so the console checks keystrokes with the very rule the daemon
// applies on Save, and asks the daemon only about expressions that can be right.

/** One field of a cron expression, in the order they are written. */
export interface CronField {
  /** As operators say it: "minute", "day of month". */
  name: string;
  /** Plural, for "minutes run from 0 to 59". */
  plural: string;
  min: number;
  max: number;
  /** Names allowed besides numbers (month and weekday), lowercase, numbered from `namesFrom`. */
  names?: readonly string[];
  namesFrom?: number;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const MONTHS_LONG = [
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
];
const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const WEEKDAYS_LONG = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];

export const CRON_SECOND: CronField = { name: 'second', plural: 'seconds', min: 0, max: 59 };
/** The five fields every expression has; a sixth, seconds, may come first. */
export const CRON_FIELDS: readonly CronField[] = [
  { name: 'minute', plural: 'minutes', min: 0, max: 59 },
  { name: 'hour', plural: 'hours', min: 0, max: 23 },
  { name: 'day of month', plural: 'days of the month', min: 1, max: 31 },
  { name: 'month', plural: 'months', min: 1, max: 12, names: MONTHS, namesFrom: 1 },
  // 0 and 7 are both Sunday, as in every cron.
  { name: 'weekday', plural: 'weekdays', min: 0, max: 7, names: WEEKDAYS, namesFrom: 0 },
];

const SHAPE =
  'Write 5 fields (minute hour day-of-month month weekday), or 6 with seconds first, like “0 3 * * *”.';

const ORDINALS = ['1st', '2nd', '3rd', '4th', '5th', '6th'];

function tokenValue(token: string, field: CronField): number | null {
  if (/^\d+$/.test(token)) return Number(token);
  const lower = token.toLowerCase();
  if (!field.names) return null;
  const long = field.names === MONTHS ? MONTHS_LONG : WEEKDAYS_LONG;
  const index = field.names.indexOf(lower) >= 0 ? field.names.indexOf(lower) : long.indexOf(lower);
  return index >= 0 ? index + (field.namesFrom ?? 0) : null;
}

function allowed(field: CronField): string {
  const names = field.names ? ` (or names like ${field.names[1]!.toUpperCase()})` : '';
  return `${field.plural} run from ${field.min} to ${field.max}${names}`;
}

/** What is wrong with one comma-separated item of a field, or null. */
function itemProblem(item: string, field: CronField): string | null {
  if (item === '') return 'has an empty item (two commas, or a comma at an end)';
  if (field.name === 'day of month' && item.toUpperCase() === 'L') return null; // the last day
  const nth = field.name === 'weekday' ? /^(\w+)#(\d+)$/.exec(item) : null;
  if (nth) {
    const day = tokenValue(nth[1]!, field);
    if (day === null || day < field.min || day > field.max) return `has “${item}”; ${allowed(field)}`;
    const n = Number(nth[2]);
    return n >= 1 && n <= 5 ? null : `has “${item}”: the week after # is 1 to 5`;
  }
  const [range, step, ...extra] = item.split('/');
  if (extra.length > 0) return `has “${item}”, with more than one step (/)`;
  if (step !== undefined) {
    if (!/^\d+$/.test(step) || Number(step) < 1)
      return `has “${item}”: the step after / is a whole number from 1`;
    if (range !== '*' && !range!.includes('-'))
      return `has “${item}”: a step goes after * or a range, like */15 or 0-30/5`;
  }
  if (range === '*') return null;
  const bounds = range!.split('-');
  if (bounds.length > 2 || bounds.some((b) => b === ''))
    return `has “${item}”, which is not a number, range (1-5), list (1,5) or step (*/15)`;
  const values = bounds.map((b) => tokenValue(b, field));
  if (values.some((v) => v === null))
    return `has “${item}”, which is not a number, range (1-5), list (1,5) or step (*/15); ${allowed(field)}`;
  if (values.some((v) => v! < field.min || v! > field.max)) return `has “${item}”; ${allowed(field)}`;
  if (values.length === 2 && values[0]! > values[1]!)
    return `has the range “${item}”, which runs backwards; write the smaller value first`;
  return null;
}

/**
 * Why `expression` is not a cron expression a schedule can use, in operator words naming the
 * field, what it holds and what is allowed; null when it is one.
 */
export function cronExpressionProblem(expression: string): string | null {
  const parts = expression.trim().split(/\s+/).filter(Boolean);
  if (parts.length === 0) return `Enter a cron expression. ${SHAPE}`;
  if (parts.length !== 5 && parts.length !== 6)
    return `A cron expression has 5 or 6 fields; this one has ${parts.length}. ${SHAPE}`;
  const fields = parts.length === 6 ? [CRON_SECOND, ...CRON_FIELDS] : CRON_FIELDS;
  for (const [i, part] of parts.entries()) {
    const field = fields[i]!;
    for (const item of part.split(',')) {
      const problem = itemProblem(item, field);
      if (problem) return `The ${field.name} field (${ORDINALS[i]}) ${problem}.`;
    }
  }
  return null;
}

/** The zone's canonical IANA name ("europe/berlin" → "Europe/Berlin"), or null when it is unknown. */
export function canonicalTimeZone(zone: string): string | null {
  if (!zone.trim()) return null;
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: zone.trim() }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
}

/** Why `zone` cannot be a schedule's time zone, or null. */
export function timeZoneProblem(zone: string): string | null {
  if (!zone.trim()) return 'Choose a time zone.';
  return canonicalTimeZone(zone) === null
    ? `“${zone.trim()}” is not a time zone this system knows; choose one from the list (an IANA name like Europe/Berlin, or UTC).`
    : null;
}
