import { Button, makeStyles, Text, Toast, ToastTitle, useToastController } from '@fluentui/react-components';
import { DismissCircleRegular, PauseRegular, PlayRegular } from '@fluentui/react-icons';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTRPC } from '../api/trpc.ts';
import type { RunRecord } from '../api/types.ts';
import { TOASTER_ID } from '../app/Providers.tsx';
import { ConfirmDialog } from '../components/ConfirmDialog.tsx';
import { newerRun } from './run-snapshot-order.ts';

type Action = 'pause' | 'resume' | 'cancel';

const useStyles = makeStyles({ bar: { display: 'flex', gap: '8px', flexWrap: 'wrap' } });

const COPY: Record<Action, { title: string; body: string; confirm: string; done: string }> = {
  pause: {
    title: 'Pause this run?',
    body: 'The run stops after its current chunk and keeps its checkpoint and its lock. Nothing already written is undone. Resume continues where it stopped.',
    confirm: 'Pause run',
    done: 'Pause requested: the run stops after its current chunk.',
  },
  resume: {
    title: 'Resume this run?',
    body: 'The run continues from its checkpoint and writes the remaining changes to customer data.',
    confirm: 'Resume run',
    done: 'Run resumed.',
  },
  cancel: {
    title: 'Cancel this run?',
    body: 'The run stops after its current chunk and ends as cancelled; its lock is released. Changes already written stay: run the runbook again later to finish the work.',
    confirm: 'Cancel run',
    done: 'Cancel requested: the run stops after its current chunk.',
  },
};

/** Pause, resume and cancel, each behind a confirmation that says what it does to the data. */
export function RunControls({ run }: { run: RunRecord }) {
  const s = useStyles();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { dispatchToast } = useToastController(TOASTER_ID);
  const [asking, setAsking] = useState<Action | null>(null);
  const onSuccess = (updated: RunRecord, action: Action) => {
    // The live snapshots may already be past this answer: keep the newer record.
    queryClient.setQueryData(trpc.runs.get.queryKey({ id: run.id }), (current) => newerRun(current, updated));
    void queryClient.invalidateQueries({ queryKey: trpc.audit.list.queryKey() });
    setAsking(null);
    dispatchToast(
      <Toast>
        <ToastTitle>{COPY[action].done}</ToastTitle>
      </Toast>,
      { intent: 'success' },
    );
  };
  const pause = useMutation(trpc.runs.pause.mutationOptions({ onSuccess: (r) => onSuccess(r, 'pause') }));
  const resume = useMutation(trpc.runs.resume.mutationOptions({ onSuccess: (r) => onSuccess(r, 'resume') }));
  const cancel = useMutation(trpc.runs.cancel.mutationOptions({ onSuccess: (r) => onSuccess(r, 'cancel') }));
  const mutations = { pause, resume, cancel };

  if (run.status === 'completed') return null;
  const pending = run.requestedAction;
  const canPause = (run.status === 'running' || run.status === 'queued') && pending === null;
  const canResume = run.status === 'paused' && pending !== 'cancel';
  const canCancel = pending !== 'cancel';

  const current = asking ? mutations[asking] : null;
  return (
    <div className={s.bar} role="toolbar" aria-label="Run controls">
      {run.status !== 'paused' && (
        <Button icon={<PauseRegular />} disabled={!canPause} onClick={() => setAsking('pause')}>
          Pause
        </Button>
      )}
      {run.status === 'paused' && (
        <Button
          appearance="primary"
          icon={<PlayRegular />}
          disabled={!canResume}
          onClick={() => setAsking('resume')}
        >
          Resume
        </Button>
      )}
      <Button icon={<DismissCircleRegular />} disabled={!canCancel} onClick={() => setAsking('cancel')}>
        Cancel run
      </Button>
      {asking && current && (
        <ConfirmDialog
          open
          title={COPY[asking].title}
          confirmLabel={COPY[asking].confirm}
          busy={current.isPending}
          error={current.error}
          onConfirm={() => current.mutate({ id: run.id })}
          onCancel={() => {
            current.reset();
            setAsking(null);
          }}
          cancelLabel={asking === 'resume' ? 'Keep it paused' : 'Keep it running'}
        >
          <Text>{COPY[asking].body}</Text>
        </ConfirmDialog>
      )}
    </div>
  );
}
