import {
  Button,
  Menu,
  MenuItem,
  MenuList,
  MenuPopover,
  MenuTrigger,
  Text,
  Toast,
  ToastTitle,
  useToastController,
} from '@fluentui/react-components';
import { AddRegular, AlertRegular } from '@fluentui/react-icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { DestinationDialog } from '../alerts/DestinationDialog.tsx';
import { DESTINATION_KINDS } from '../alerts/DestinationKindLabel.tsx';
import { DestinationsTable } from '../alerts/DestinationsTable.tsx';
import { useSendTest } from '../alerts/use-send-test.tsx';
import { CAPABILITIES } from '../api/capabilities.ts';
import { useTRPC } from '../api/trpc.ts';
import type { AlertDestination, DestinationKind } from '../api/types.ts';
import { useCan } from '../app/me-context.ts';
import { TOASTER_ID } from '../app/Providers.tsx';
import { ConfirmDialog } from '../components/ConfirmDialog.tsx';
import { PageHeader } from '../components/PageHeader.tsx';
import { EmptyState, ErrorState, LoadingState, MissingCapabilityState } from '../components/states.tsx';

type Editing = { destination: AlertDestination | null; kind: DestinationKind } | null;

const TITLE = 'Alert destinations';
const DESCRIPTION =
  'Where failed runs and drift found by schedules are reported: e-mail over SMTP and Microsoft Teams channels. Successful runs are reported only to destinations that ask for it.';

/** Settings → Alerts. Needs platform.alerts.manage; others see what is missing, and nothing else. */
export function AlertsSettingsPage() {
  const canManage = useCan(CAPABILITIES.alertsManage);
  if (!canManage) {
    return (
      <>
        <PageHeader title={TITLE} description={DESCRIPTION} />
        <MissingCapabilityState capability={CAPABILITIES.alertsManage} />
      </>
    );
  }
  return <AlertDestinations />;
}

function AlertDestinations() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { dispatchToast } = useToastController(TOASTER_ID);
  const [editing, setEditing] = useState<Editing>(null);
  const [deleting, setDeleting] = useState<AlertDestination | null>(null);
  const destinations = useQuery(trpc.alerts.list.queryOptions());
  const sendTest = useSendTest();
  const remove = useMutation(
    trpc.alerts.delete.mutationOptions({
      onSuccess: () => {
        void queryClient.invalidateQueries({ queryKey: trpc.alerts.list.queryKey() });
        dispatchToast(
          <Toast>
            <ToastTitle>{`Destination “${deleting?.name}” deleted.`}</ToastTitle>
          </Toast>,
          { intent: 'success' },
        );
        setDeleting(null);
      },
    }),
  );

  const addMenu = (
    <Menu>
      <MenuTrigger disableButtonEnhancement>
        <Button appearance="primary" icon={<AddRegular />}>
          Add destination
        </Button>
      </MenuTrigger>
      <MenuPopover>
        <MenuList>
          {(Object.keys(DESTINATION_KINDS) as DestinationKind[]).map((kind) => (
            <MenuItem
              key={kind}
              icon={DESTINATION_KINDS[kind].icon}
              onClick={() => setEditing({ destination: null, kind })}
            >
              {DESTINATION_KINDS[kind].label}
            </MenuItem>
          ))}
        </MenuList>
      </MenuPopover>
    </Menu>
  );

  return (
    <>
      <PageHeader title={TITLE} description={DESCRIPTION} actions={addMenu} />
      {destinations.isPending && <LoadingState label="Loading alert destinations…" />}
      {destinations.isError && (
        <ErrorState error={destinations.error} onRetry={() => destinations.refetch()} />
      )}
      {destinations.data?.length === 0 && (
        <EmptyState icon={<AlertRegular />} title="No alert destinations yet">
          Without one, failures are reported only in the console’s notifications. Add an e-mail list or a
          Teams channel.
        </EmptyState>
      )}
      {destinations.data && destinations.data.length > 0 && (
        <DestinationsTable
          destinations={destinations.data}
          sendingId={sendTest.sendingId}
          testResults={sendTest.results}
          onSendTest={sendTest.send}
          onEdit={(destination) => setEditing({ destination, kind: destination.kind })}
          onDelete={setDeleting}
        />
      )}
      {editing && (
        <DestinationDialog
          destination={editing.destination}
          kind={editing.kind}
          onClose={() => setEditing(null)}
        />
      )}
      {deleting && (
        <ConfirmDialog
          open
          title="Delete this destination?"
          confirmLabel="Delete destination"
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
            “{deleting.name}” gets no more alerts. Deliveries already made to it stay on their runs’ records.
          </Text>
        </ConfirmDialog>
      )}
    </>
  );
}
