import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { fieldErrorOf } from '../api/api-error.ts';
import { useTRPC } from '../api/trpc.ts';
import { useDebounced } from '../components/use-debounced.ts';

/** Asked again once typing pauses, not on every key of the expression. */
export const PREVIEW_DEBOUNCE_MS = 350;
const PREVIEW_COUNT = 5;

export interface FireTimesPreview {
  times: string[];
  /** The daemon's verdict on the expression or the zone, by field ("cron", "timezone"). */
  fieldError: { field: string; message: string } | null;
  /** The preview failed for another reason (daemon unreachable…). */
  error: unknown;
  isFetching: boolean;
}

/**
 * The next fire times of what the operator is typing (`schedules.preview`): the daemon's cron
 * parser judges the expression, so the form learns it is wrong before Save.
 */
export function useFireTimesPreview(cron: string, timezone: string): FireTimesPreview {
  const trpc = useTRPC();
  // Each string on its own: a new object every render would never settle.
  const settledCron = useDebounced(cron.trim(), PREVIEW_DEBOUNCE_MS);
  const settledZone = useDebounced(timezone, PREVIEW_DEBOUNCE_MS);
  const input = { cron: settledCron, timezone: settledZone };
  const preview = useQuery(
    trpc.schedules.preview.queryOptions(
      { ...input, count: PREVIEW_COUNT },
      { enabled: input.cron !== '', placeholderData: keepPreviousData, staleTime: 30_000 },
    ),
  );
  const named = fieldErrorOf(preview.error);
  return {
    times: preview.isError || input.cron === '' ? [] : (preview.data?.nextFireTimes ?? []),
    fieldError: named ? { field: named.field, message: named.message } : null,
    error: preview.isError && !named ? preview.error : null,
    isFetching: preview.isFetching || input.cron !== cron.trim() || input.timezone !== timezone,
  };
}
