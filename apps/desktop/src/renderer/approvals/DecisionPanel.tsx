import { Button, Field, MessageBar, MessageBarBody, makeStyles, Textarea } from '@fluentui/react-components';
import { CheckmarkRegular, DismissRegular } from '@fluentui/react-icons';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTRPC } from '../api/trpc.ts';
import { ErrorState } from '../components/states.tsx';
import type { ApprovalRequest } from './approval-types.ts';

const useStyles = makeStyles({
  panel: { display: 'flex', flexDirection: 'column', gap: '12px', maxWidth: '640px' },
  actions: { display: 'flex', gap: '8px' },
});

/**
 * Approve or reject with a comment. Shown disabled with the reason to whoever may not decide: the
 * requester (four eyes), an operator without platform.runbooks.approve, or a request already decided.
 */
export function DecisionPanel({ request }: { request: ApprovalRequest }) {
  const s = useStyles();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [comment, setComment] = useState('');
  const onSuccess = () => {
    setComment('');
    void queryClient.invalidateQueries({ queryKey: trpc.approvals.get.queryKey({ id: request.id }) });
    void queryClient.invalidateQueries({ queryKey: trpc.approvals.list.queryKey() });
  };
  const approve = useMutation(trpc.approvals.approve.mutationOptions({ onSuccess }));
  const reject = useMutation(trpc.approvals.reject.mutationOptions({ onSuccess }));
  const blocked = request.decideBlockedBecause;
  const busy = approve.isPending || reject.isPending;
  const noComment = comment.trim() === '';
  if (request.status !== 'pending') return null;
  return (
    <section className={s.panel} aria-label="Decision">
      {blocked && (
        <MessageBar intent="info" data-testid="decide-blocked">
          <MessageBarBody>You cannot approve or reject this request: {blocked}.</MessageBarBody>
        </MessageBar>
      )}
      <Field
        label="Comment"
        required
        hint="Says why you approve or reject it; kept in the audit log and shown to the requester."
      >
        <Textarea
          value={comment}
          onChange={(_, d) => setComment(d.value)}
          disabled={Boolean(blocked)}
          maxLength={500}
          resize="vertical"
        />
      </Field>
      <div className={s.actions}>
        <Button
          appearance="primary"
          icon={<CheckmarkRegular />}
          disabled={Boolean(blocked) || noComment || busy}
          onClick={() => approve.mutate({ id: request.id, comment })}
        >
          Approve
        </Button>
        <Button
          icon={<DismissRegular />}
          disabled={Boolean(blocked) || noComment || busy}
          onClick={() => reject.mutate({ id: request.id, comment })}
        >
          Reject
        </Button>
      </div>
      {(approve.error || reject.error) && <ErrorState error={approve.error ?? reject.error} />}
    </section>
  );
}
