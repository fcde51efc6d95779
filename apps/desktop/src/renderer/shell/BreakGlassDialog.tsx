import {
  Button,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  MessageBar,
  MessageBarBody,
  makeStyles,
  Text,
} from '@fluentui/react-components';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { describeApiError } from '../api/api-error.ts';
import { REASON_TEXT_MAX } from '../api/reasons.ts';
import { useTRPC } from '../api/trpc.ts';
import type { ReasonCode } from '../api/types.ts';
import { ReasonFields } from '../components/ReasonFields.tsx';
import { ErrorState } from '../components/states.tsx';

const useStyles = makeStyles({ content: { display: 'flex', flexDirection: 'column', gap: '12px' } });

/** Entering break-glass: elevated, time-limited and audited, so it needs a reason like a risky run. */
export function BreakGlassDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const s = useStyles();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [code, setCode] = useState<ReasonCode | null>(null);
  const [text, setText] = useState('');
  const activate = useMutation(
    trpc.breakGlass.activate.mutationOptions({
      onSuccess: async () => {
        await queryClient.invalidateQueries({ queryKey: trpc.me.get.queryKey() });
        onClose();
      },
    }),
  );
  const valid = code !== null && text.trim().length > 0 && text.length <= REASON_TEXT_MAX;
  const fieldError = activate.error ? describeApiError(activate.error).field : undefined;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (valid && code) activate.mutate({ reasonCode: code, reasonText: text.trim() });
  };

  return (
    <Dialog open={open} onOpenChange={(_, d) => !d.open && onClose()}>
      <DialogSurface aria-describedby="break-glass-explainer">
        <form onSubmit={submit}>
          <DialogBody>
            <DialogTitle>Enter break-glass</DialogTitle>
            <DialogContent className={s.content}>
              <Text id="break-glass-explainer">
                Break-glass gives you the right to view and run every runbook for a limited time. It is
                recorded in the audit log, marked on every run you start, and shown as a red banner until it
                ends.
              </Text>
              <MessageBar intent="warning">
                <MessageBarBody>
                  Use it only for an incident you cannot handle with your own rights.
                </MessageBarBody>
              </MessageBar>
              <ReasonFields
                code={code}
                text={text}
                onCodeChange={setCode}
                onTextChange={setText}
                required
                purpose="Say which incident needs elevated rights and why your own are not enough; it is kept in the audit log and marked on every run you start."
                codeError={fieldError === 'reasonCode' ? 'Choose a reason code.' : undefined}
                textError={fieldError === 'reasonText' ? 'Write a reason.' : undefined}
              />
              {activate.error && <ErrorState error={activate.error} />}
            </DialogContent>
            <DialogActions>
              <Button onClick={onClose}>Cancel</Button>
              <Button appearance="primary" type="submit" disabled={!valid || activate.isPending}>
                {activate.isPending ? 'Entering…' : 'Enter break-glass'}
              </Button>
            </DialogActions>
          </DialogBody>
        </form>
      </DialogSurface>
    </Dialog>
  );
}
