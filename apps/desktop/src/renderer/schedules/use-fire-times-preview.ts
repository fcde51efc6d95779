import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useRef } from 'react';
import { fieldErrorOf } from '../api/api-error.ts';
import { useTRPC } from '../api/trpc.ts';
import { useDebounced } from '../components/use-debounced.ts';
import { fromPreviewKey, type PreviewAnswer, previewKey, previewView } from './preview-answer.ts';
import { timingProblems } from './schedule-form.ts';

/** Asked again once typing pauses, not on every key of the expression. */
export const PREVIEW_DEBOUNCE_MS = 350;
const PREVIEW_COUNT = 5;

export interface FireTimesPreview {
  times: readonly string[];
  /** The zone `times` were worked out for (the typed one once the preview has caught up). */
  timeZone: string;
  /** `times` answer exactly what is typed now. */
  current: boolean;
  /** The daemon's verdict on the expression or the zone, by field ("cron", "timezone"). */
  fieldError: { field: string; message: string } | null;
  /** The preview failed for another reason (daemon unreachable…). */
  error: unknown;
  isFetching: boolean;
}

function askable(cron: string, timezone: string): boolean {
  const problems = timingProblems(cron, timezone);
  return cron !== '' && problems.cron === null && problems.timezone === null;
}

/**
 * The next fire times of what the operator is typing (`schedules.preview`): the daemon's cron
 * parser judges the expression, so the form learns it is wrong before Save. Each (cron, zone) pair
 * is its own query, so a late answer for an older pair can never overwrite a newer one; while the
 * newest is on its way the last answer stays, shown on the clock of the zone it was computed for.
 */
export function useFireTimesPreview(cron: string, timezone: string): FireTimesPreview {
  const trpc = useTRPC();
  // One string for the pair: a new object every render would never settle.
  const input = fromPreviewKey(useDebounced(previewKey(cron, timezone), PREVIEW_DEBOUNCE_MS));
  const preview = useQuery(
    trpc.schedules.preview.queryOptions(
      { ...input, count: PREVIEW_COUNT },
      // Only a pair that passes the daemon's own rule locally is worth asking about: a keystroke
      // that makes the expression wrong sends nothing (and logs no 400).
      { enabled: askable(input.cron, input.timezone), placeholderData: keepPreviousData, staleTime: 30_000 },
    ),
  );
  // The last real answer and the pair it answers (placeholder data belongs to an earlier pair).
  const answered = useRef<PreviewAnswer | null>(null);
  if (preview.isSuccess && !preview.isPlaceholderData) {
    answered.current = { ...input, times: preview.data.nextFireTimes };
  }
  const named = fieldErrorOf(preview.error);
  const pending = preview.isFetching || previewKey(cron, timezone) !== previewKey(input.cron, input.timezone);
  const view = previewView(preview.isError ? null : answered.current, { cron, timezone }, pending);
  return {
    ...view,
    fieldError: named ? { field: named.field, message: named.message } : null,
    error: preview.isError && !named ? preview.error : null,
    isFetching: pending,
  };
}
