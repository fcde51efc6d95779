import { Button, makeStyles } from '@fluentui/react-components';
import { ArrowUndoRegular } from '@fluentui/react-icons';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTRPC } from '../api/trpc.ts';
import { ErrorState } from '../components/states.tsx';
import type { ApprovalRequest } from './approval-types.ts';

const useStyles = makeStyles({ root: { display: 'flex', flexDirection: 'column', gap: '8px' } });

/** The requester takes back their own pending request (audited); shown to nobody else. */
export function WithdrawButton({ request }: { request: ApprovalRequest }) {
  const s = useStyles();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const withdraw = useMutation(
    trpc.approvals.withdraw.mutationOptions({
      onSuccess: () => {
        void queryClient.invalidateQueries({ queryKey: trpc.approvals.get.queryKey({ id: request.id }) });
        void queryClient.invalidateQueries({ queryKey: trpc.approvals.list.queryKey() });
      },
    }),
  );
  if (!request.canWithdraw) return null;
  return (
    <div className={s.root}>
      <div>
        <Button
          icon={<ArrowUndoRegular />}
          disabled={withdraw.isPending}
          onClick={() => withdraw.mutate({ id: request.id })}
        >
          Withdraw request
        </Button>
      </div>
      {withdraw.error && <ErrorState error={withdraw.error} />}
    </div>
  );
}
