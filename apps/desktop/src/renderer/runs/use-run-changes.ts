import { skipToken, useQueryClient } from '@tanstack/react-query';
import { useSubscription } from '@trpc/tanstack-react-query';
import { useEffect, useRef } from 'react';
import { useTRPC } from '../api/trpc.ts';

/** At most one refetch of a list per this interval, however many runs change. */
const REFRESH_EVERY_MS = 1_000;

interface Pending {
  catalog: boolean;
  runs: boolean;
  runIds: Set<string>;
}

/**
 * Keeps the console's views of runs current without a reload: one `runs.onChange` subscription for
 * the whole console (the daemon polls once for all its subscribers). A run that starts or ends —
 * any change of status or outcome — refreshes the runbook catalog (its "Last run") and that run's
 * page; any change, progress included, refreshes the runs table. Refreshes are gathered and sent
 * at most once a second. Late answers cannot move a view backwards: a refetch replaces the one
 * still in flight (TanStack Query cancels it), and a run's record only ever moves forwards
 * (run-snapshot-order.ts). Off for operators who may not view runs (the catalog polls instead).
 */
export function useRunChanges(enabled: boolean): void {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const lastState = useRef(new Map<string, string>());
  const pending = useRef<Pending>({ catalog: false, runs: false, runIds: new Set() });
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);

  useEffect(
    () => () => {
      if (timer.current) clearTimeout(timer.current);
    },
    [],
  );

  const flush = () => {
    timer.current = null;
    const { catalog, runs, runIds } = pending.current;
    pending.current = { catalog: false, runs: false, runIds: new Set() };
    if (catalog) void queryClient.invalidateQueries({ queryKey: trpc.runbooks.list.queryKey() });
    if (runs) void queryClient.invalidateQueries({ queryKey: trpc.runs.list.queryKey() });
    for (const id of runIds) {
      void queryClient.invalidateQueries({ queryKey: trpc.runs.get.queryKey({ id }) });
      void queryClient.invalidateQueries({ queryKey: trpc.audit.list.queryKey() });
    }
  };

  useSubscription(
    trpc.runs.onChange.subscriptionOptions(enabled ? undefined : skipToken, {
      onData: ({ changes }) => {
        for (const change of changes) {
          const state = `${change.status}:${change.outcome}`;
          if (lastState.current.get(change.id) !== state) {
            lastState.current.set(change.id, state);
            pending.current.catalog = true;
            pending.current.runIds.add(change.id);
          }
          pending.current.runs = true;
        }
        timer.current ??= setTimeout(flush, pending.current.catalog ? 0 : REFRESH_EVERY_MS);
      },
    }),
  );
}
