import { skipToken, useQueryClient } from '@tanstack/react-query';
import { useSubscription } from '@trpc/tanstack-react-query';
import { useTRPC } from '../api/trpc.ts';

/**
 * Keeps the approvals views current: `approvals.onChange` signals any change of any run request
 * (requested, decided, expired, started, from any daemon); the lists and pages fetch again.
 */
export function useApprovalChanges(enabled: boolean): void {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  useSubscription(
    trpc.approvals.onChange.subscriptionOptions(enabled ? undefined : skipToken, {
      onData: () => {
        void queryClient.invalidateQueries({ queryKey: trpc.approvals.list.queryKey() });
        void queryClient.invalidateQueries({ queryKey: trpc.approvals.get.queryKey() });
      },
    }),
  );
}
