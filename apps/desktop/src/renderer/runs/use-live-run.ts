import { replaceEqualDeep, skipToken, useQuery, useQueryClient } from '@tanstack/react-query';
import { useSubscription } from '@trpc/tanstack-react-query';
import { useEffect, useRef } from 'react';
import { useTRPC } from '../api/trpc.ts';
import type { RunRecord } from '../api/types.ts';
import { isActiveStatus } from '../status/badge-specs.ts';
import { newerRun } from './run-snapshot-order.ts';

export type LiveState = 'live' | 'connecting' | 'reconnecting' | 'off';

/**
 * The run record, kept current: one `runs.get`, then while the run is active the daemon's
 * `runs.onUpdate` snapshots replace it in the cache as they arrive (twice a second), so every part
 * of the page reads one record. When the run completes the audit timeline is refreshed once.
 * Answers may land out of order (a refetch begun before the latest snapshot): an older record
 * never replaces a newer one, so the run never moves backwards on screen.
 */
export function useLiveRun(id: string) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const run = useQuery(
    trpc.runs.get.queryOptions(
      { id },
      // Applies to fetched answers and to setQueryData alike (TanStack Query's replaceData); the
      // newer record then shares the unchanged parts of the old one, as by default.
      {
        structuralSharing: (current, incoming) =>
          replaceEqualDeep(current, newerRun(current as RunRecord | undefined, incoming as RunRecord)),
      },
    ),
  );
  const active = run.data ? isActiveStatus(run.data.status) : false;
  const runKey = trpc.runs.get.queryKey({ id });

  const subscription = useSubscription(
    trpc.runs.onUpdate.subscriptionOptions(active ? { id } : skipToken, {
      onData: (snapshot) =>
        queryClient.setQueryData(runKey, (current) => newerRun(current, snapshot as RunRecord)),
    }),
  );

  const status = run.data?.status;
  const previous = useRef(status);
  useEffect(() => {
    if (previous.current === status) return;
    previous.current = status;
    const refresh = () => void queryClient.invalidateQueries({ queryKey: trpc.audit.list.queryKey() });
    refresh();
    if (status !== 'completed') return;
    void queryClient.invalidateQueries({ queryKey: trpc.runbooks.list.queryKey() });
    // The completion's audit event is written just after the status changes: look once more.
    const later = setTimeout(refresh, 1500);
    return () => clearTimeout(later);
  }, [status, queryClient, trpc]);

  const live: LiveState = !active
    ? 'off'
    : subscription.status === 'pending'
      ? 'live'
      : subscription.status === 'error'
        ? 'reconnecting'
        : 'connecting';
  return { run, live };
}
