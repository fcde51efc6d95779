/** The fire times the daemon gave for one (cron, zone) pair. */
export interface PreviewAnswer {
  cron: string;
  timezone: string;
  times: readonly string[];
}

export interface PreviewView {
  times: readonly string[];
  /** The zone the times were worked out for: they are shown on its clock, never another's. */
  timeZone: string;
  /** The times answer exactly what is typed now (nothing newer is on its way). */
  current: boolean;
}

/**
 * What the preview shows while the operator types: the last answer, always with the zone it was
 * computed for, so an answer for an older expression or zone can stand in (marked not current)
 * but is never dressed up as the answer for what is typed now.
 */
export function previewView(
  answer: PreviewAnswer | null,
  typed: { cron: string; timezone: string },
  fetching: boolean,
): PreviewView {
  if (answer === null || typed.cron.trim() === '') {
    return { times: [], timeZone: typed.timezone, current: typed.cron.trim() === '' && !fetching };
  }
  const matches = answer.cron === typed.cron.trim() && answer.timezone === typed.timezone;
  return { times: answer.times, timeZone: answer.timezone, current: matches && !fetching };
}

/** The pair as one debounced value, so a new expression is never asked for in the old zone. */
export function previewKey(cron: string, timezone: string): string {
  return JSON.stringify([cron.trim(), timezone]);
}

export function fromPreviewKey(key: string): { cron: string; timezone: string } {
  const [cron, timezone] = JSON.parse(key) as [string, string];
  return { cron, timezone };
}
