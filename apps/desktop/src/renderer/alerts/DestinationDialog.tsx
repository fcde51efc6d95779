import {
  Button,
  Checkbox,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  Field,
  Input,
  MessageBar,
  MessageBarBody,
  makeStyles,
  Spinner,
  Switch,
  Text,
  Textarea,
  Toast,
  ToastTitle,
  tokens,
  useToastController,
} from '@fluentui/react-components';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { fieldErrorOf } from '../api/api-error.ts';
import { useTRPC } from '../api/trpc.ts';
import type { AlertDestination, DestinationKind } from '../api/types.ts';
import { TOASTER_ID } from '../app/Providers.tsx';
import { ErrorState } from '../components/states.tsx';
import { DESTINATION_KINDS } from './DestinationKindLabel.tsx';
import {
  type DestinationForm,
  destinationBlocker,
  destinationFormFrom,
  newDestinationForm,
  parseRecipients,
  toCreateInput,
  toUpdateInput,
} from './destination-form.ts';

const useStyles = makeStyles({
  surface: { maxWidth: '600px' },
  // The content scrolls when it is taller than the window: its parts keep their height.
  content: { display: 'flex', flexDirection: 'column', gap: '16px', '& > *': { flexShrink: 0 } },
  blocker: { color: tokens.colorNeutralForeground2, marginRight: 'auto', alignSelf: 'center' },
  secret: { fontFamily: tokens.fontFamilyMonospace },
});

const FORM_FIELDS = new Set(['name', 'recipients', 'smtpUrl', 'webhookUrl']);

/**
 * Add or edit an alert destination: e-mail recipients (optionally through an SMTP server of its
 * own) or a Teams incoming webhook. Stored secrets are shown masked, as the daemon returns them;
 * typing a new one replaces it. Mounted when opened.
 */
export function DestinationDialog({
  destination,
  kind,
  onClose,
}: {
  destination: AlertDestination | null;
  kind: DestinationKind;
  onClose: () => void;
}) {
  const s = useStyles();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { dispatchToast } = useToastController(TOASTER_ID);
  const [form, setForm] = useState<DestinationForm>(() =>
    destination ? destinationFormFrom(destination) : newDestinationForm(kind),
  );
  const update = (patch: Partial<DestinationForm>) => setForm((f) => ({ ...f, ...patch }));
  const onSaved = (saved: AlertDestination) => {
    void queryClient.invalidateQueries({ queryKey: trpc.alerts.list.queryKey() });
    dispatchToast(
      <Toast>
        <ToastTitle>{`Destination “${saved.name}” ${destination ? 'saved' : 'added'}.`}</ToastTitle>
      </Toast>,
      { intent: 'success' },
    );
    onClose();
  };
  const create = useMutation(trpc.alerts.create.mutationOptions({ onSuccess: onSaved }));
  const save = useMutation(trpc.alerts.update.mutationOptions({ onSuccess: onSaved }));
  const mutation = destination ? save : create;
  const named = fieldErrorOf(mutation.error);
  const errorFor = (field: string): string | undefined => {
    if (named?.field !== field) return undefined;
    // "recipients.2": name the address the daemon refused.
    const address =
      field === 'recipients' && named.index !== null ? parseRecipients(form.recipients)[named.index] : null;
    return address ? `“${address}”: ${named.message}` : named.message;
  };
  const blocker = destinationBlocker(form, destination);
  const ownsAddress = destination === null || destination.source === 'console';
  const addTitle = DESTINATION_KINDS[form.kind].addTitle;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (blocker || mutation.isPending) return;
    if (destination) save.mutate(toUpdateInput(form, destination));
    else create.mutate(toCreateInput(form));
  };

  const fieldState = (field: string) => ({
    validationState: errorFor(field) ? ('error' as const) : ('none' as const),
    validationMessage: errorFor(field),
  });

  return (
    <Dialog open onOpenChange={(_, d) => !d.open && onClose()}>
      <DialogSurface className={s.surface}>
        <form onSubmit={submit} aria-label={destination ? `Edit ${destination.name}` : addTitle}>
          <DialogBody>
            <DialogTitle>{destination ? `Edit “${destination.name}”` : addTitle}</DialogTitle>
            <DialogContent className={s.content}>
              {!ownsAddress && (
                <MessageBar intent="info">
                  <MessageBarBody>
                    This destination comes from the daemon’s environment, which owns its address. You can
                    rename, enable or disable it here.
                  </MessageBarBody>
                </MessageBar>
              )}
              <Field label="Name" required {...fieldState('name')}>
                <Input value={form.name} onChange={(_, d) => update({ name: d.value })} autoFocus />
              </Field>
              {form.kind === 'email' ? (
                <>
                  <Field
                    label="Recipients"
                    required={ownsAddress}
                    hint="E-mail addresses, separated by commas or new lines."
                    {...fieldState('recipients')}
                  >
                    <Textarea
                      value={form.recipients}
                      onChange={(_, d) => update({ recipients: d.value })}
                      disabled={!ownsAddress}
                      rows={2}
                      resize="vertical"
                    />
                  </Field>
                  {ownsAddress && (
                    <Field
                      label="SMTP server"
                      hint={
                        destination?.smtpUrl
                          ? `Stored: ${destination.smtpUrl}. Leave empty to keep it.`
                          : 'Optional, like smtps://user:password@mail.example.com:465. Empty: the daemon’s server (OPS_SMTP_URL).'
                      }
                      {...fieldState('smtpUrl')}
                    >
                      <Input
                        className={s.secret}
                        value={form.smtpUrl}
                        onChange={(_, d) => update({ smtpUrl: d.value, useDaemonSmtp: false })}
                        autoComplete="off"
                        placeholder={destination?.smtpUrl ?? 'smtp://…'}
                        disabled={form.useDaemonSmtp}
                      />
                    </Field>
                  )}
                  {ownsAddress && destination?.smtpUrl && (
                    <Checkbox
                      checked={form.useDaemonSmtp}
                      onChange={(_, d) => update({ useDaemonSmtp: d.checked === true, smtpUrl: '' })}
                      label="Use the daemon’s SMTP server (OPS_SMTP_URL) instead"
                    />
                  )}
                </>
              ) : (
                <Field
                  label="Webhook URL"
                  required={ownsAddress && destination === null}
                  hint={
                    destination?.webhookUrl
                      ? `Stored: ${destination.webhookUrl}. Leave empty to keep it.`
                      : 'From the channel’s Incoming Webhook connector in Microsoft Teams (https://…).'
                  }
                  {...fieldState('webhookUrl')}
                >
                  <Input
                    className={s.secret}
                    inputMode="url"
                    value={form.webhookUrl}
                    onChange={(_, d) => update({ webhookUrl: d.value })}
                    autoComplete="off"
                    placeholder={destination?.webhookUrl ?? 'https://…webhook.office.com/…'}
                    disabled={!ownsAddress}
                  />
                </Field>
              )}
              <Switch
                checked={form.enabled}
                onChange={(_, d) => update({ enabled: d.checked })}
                label="Enabled"
              />
              <Switch
                checked={form.notifyOnSuccess}
                onChange={(_, d) => update({ notifyOnSuccess: d.checked })}
                label="Also notify when a run succeeds (failures always notify)"
              />
              {mutation.error && !(named && FORM_FIELDS.has(named.field)) && (
                <ErrorState error={mutation.error} />
              )}
            </DialogContent>
            <DialogActions fluid>
              {blocker && (
                <Text size={200} className={s.blocker} id="destination-blocker">
                  {blocker}
                </Text>
              )}
              <Button onClick={onClose}>Cancel</Button>
              <Button
                appearance="primary"
                type="submit"
                disabledFocusable={blocker !== null || mutation.isPending}
                aria-describedby={blocker ? 'destination-blocker' : undefined}
                icon={mutation.isPending ? <Spinner size="tiny" /> : undefined}
              >
                {mutation.isPending ? 'Saving…' : destination ? 'Save' : 'Add destination'}
              </Button>
            </DialogActions>
          </DialogBody>
        </form>
      </DialogSurface>
    </Dialog>
  );
}
