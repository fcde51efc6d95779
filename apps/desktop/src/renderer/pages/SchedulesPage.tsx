import { Button, Text, Toast, ToastTitle, useToastController } from '@fluentui/react-components';
import { AddRegular, ArrowClockwiseRegular, CalendarClockRegular } from '@fluentui/react-icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { CAPABILITIES } from '../api/capabilities.ts';
import { useTRPC } from '../api/trpc.ts';
import type { Schedule } from '../api/types.ts';
import { useCan } from '../app/me-context.ts';
import { TOASTER_ID } from '../app/Providers.tsx';
import { ConfirmDialog } from '../components/ConfirmDialog.tsx';
import { PageHeader } from '../components/PageHeader.tsx';
import { EmptyState, ErrorState, LoadingState } from '../components/states.tsx';
import { ScheduleDialog } from '../schedules/ScheduleDialog.tsx';
import { SchedulesTable } from '../schedules/SchedulesTable.tsx';

/** Fire times move on and occurrences arrive: keep the list current while it is open. */
const REFRESH_MS = 15_000;

type Editing = { kind: 'new' } | { kind: 'edit'; schedule: Schedule } | null;

/**
 * Cron schedules: preflights that alert on drift and unattended runs. Everyone with the ops view
 * sees them; creating, editing and deleting needs platform.schedules.manage.
 */
export function SchedulesPage() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { dispatchToast } = useToastController(TOASTER_ID);
  const canManage = useCan(CAPABILITIES.schedulesManage);
  const [editing, setEditing] = useState<Editing>(null);
  const [deleting, setDeleting] = useState<Schedule | null>(null);
  const schedules = useQuery(trpc.schedules.list.queryOptions(undefined, { refetchInterval: REFRESH_MS }));
  const runbooks = useQuery(trpc.runbooks.list.queryOptions(undefined, { retry: false }));
  const titles = useMemo(() => new Map((runbooks.data ?? []).map((r) => [r.id, r.title])), [runbooks.data]);
  const available = useMemo(() => (runbooks.data ?? []).filter((r) => r.available), [runbooks.data]);
  const remove = useMutation(
    trpc.schedules.delete.mutationOptions({
      onSuccess: () => {
        void queryClient.invalidateQueries({ queryKey: trpc.schedules.list.queryKey() });
        dispatchToast(
          <Toast>
            <ToastTitle>{`Schedule “${deleting?.name}” deleted.`}</ToastTitle>
          </Toast>,
          { intent: 'success' },
        );
        setDeleting(null);
      },
    }),
  );

  const canCreate = canManage && available.length > 0;
  return (
    <>
      <PageHeader
        title="Schedules"
        description={
          canManage
            ? 'Runbooks on a timetable: a preflight that alerts when data drifts, or an unattended repair run with a stored reason. Runs they start are recorded as system:schedule.'
            : 'Runbooks on a timetable. You can see them; changing them needs the capability platform.schedules.manage.'
        }
        actions={
          <>
            <Button
              icon={<ArrowClockwiseRegular />}
              onClick={() => schedules.refetch()}
              disabled={schedules.isFetching}
            >
              Refresh
            </Button>
            {canManage && (
              <Button
                appearance="primary"
                icon={<AddRegular />}
                onClick={() => setEditing({ kind: 'new' })}
                disabledFocusable={!canCreate}
              >
                New schedule
              </Button>
            )}
          </>
        }
      />
      {canManage && runbooks.isError && (
        <ErrorState error={runbooks.error} onRetry={() => runbooks.refetch()} />
      )}
      {schedules.isPending && <LoadingState label="Loading schedules…" />}
      {schedules.isError && <ErrorState error={schedules.error} onRetry={() => schedules.refetch()} />}
      {schedules.data?.length === 0 && (
        <EmptyState icon={<CalendarClockRegular />} title="No schedules yet">
          {canManage
            ? 'Create one to check for drift every night, or to repair it unattended.'
            : 'An operator who may manage schedules can create them here.'}
        </EmptyState>
      )}
      {schedules.data && schedules.data.length > 0 && (
        <SchedulesTable
          schedules={schedules.data}
          runbookTitle={(id) => titles.get(id) ?? id}
          onEdit={canManage ? (schedule) => setEditing({ kind: 'edit', schedule }) : undefined}
          onDelete={canManage ? setDeleting : undefined}
        />
      )}
      {editing && (
        <ScheduleDialog
          schedule={editing.kind === 'edit' ? editing.schedule : null}
          runbooks={available}
          onClose={() => setEditing(null)}
        />
      )}
      {deleting && (
        <ConfirmDialog
          open
          title="Delete this schedule?"
          confirmLabel="Delete schedule"
          cancelLabel="Keep it"
          busy={remove.isPending}
          error={remove.error}
          onConfirm={() => remove.mutate({ id: deleting.id })}
          onCancel={() => {
            remove.reset();
            setDeleting(null);
          }}
        >
          <Text>
            “{deleting.name}” stops firing at once, and its history of occurrences is deleted with it. Runs it
            already started are kept.
          </Text>
        </ConfirmDialog>
      )}
    </>
  );
}
