import {
  Button,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  Dropdown,
  Field,
  Input,
  makeStyles,
  Option,
  Spinner,
  Switch,
  Text,
  Toast,
  ToastTitle,
  tokens,
  useToastController,
} from '@fluentui/react-components';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { fieldErrorOf } from '../api/api-error.ts';
import { useTRPC } from '../api/trpc.ts';
import type { Runbook, Schedule } from '../api/types.ts';
import { TOASTER_ID } from '../app/Providers.tsx';
import { ReasonFields } from '../components/ReasonFields.tsx';
import { ErrorState } from '../components/states.tsx';
import { localTimeZone } from '../format/time.ts';
import { ParameterFields } from '../runbooks/ParameterFields.tsx';
import {
  apiParameterProblems,
  initialParameterValues,
  parameterProblems,
} from '../runbooks/parameter-values.ts';
import { ScheduleTargetFields } from './ScheduleTargetFields.tsx';
import { ScheduleTimingFields } from './ScheduleTimingFields.tsx';
import {
  checkScheduleForm,
  newScheduleForm,
  type ScheduleForm,
  scheduleFormFrom,
  toCreateInput,
  toUpdateInput,
  unchangedSince,
} from './schedule-form.ts';

const useStyles = makeStyles({
  surface: { maxWidth: '760px', width: 'calc(100vw - 48px)' },
  // The content scrolls when it is taller than the window: its parts keep their height.
  content: { display: 'flex', flexDirection: 'column', gap: '16px', '& > *': { flexShrink: 0 } },
  blocker: { color: tokens.colorNeutralForeground2, marginRight: 'auto', alignSelf: 'center' },
  phrase: { fontFamily: tokens.fontFamilyMonospace, fontWeight: tokens.fontWeightSemibold },
});

/** Form fields the daemon may name in a BAD_REQUEST; any other field's error shows as a message bar. */
const FORM_FIELDS = new Set([
  'name',
  'runbookId',
  'cron',
  'timezone',
  'scope',
  'mode',
  'reasonCode',
  'reasonText',
  'confirmation',
]);

/**
 * New schedule / Edit schedule: what runs, when (with a live preview of the fire times), where,
 * and how: a preflight that alerts on drift, or an unattended run with its stored reason.
 * Mounted when opened. `runbooks` are the runbooks the daemon loaded.
 */
export function ScheduleDialog({
  schedule,
  runbooks,
  onClose,
}: {
  schedule: Schedule | null;
  runbooks: readonly Runbook[];
  onClose: () => void;
}) {
  const s = useStyles();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { dispatchToast } = useToastController(TOASTER_ID);
  const runbookOf = (id: string) => runbooks.find((r) => r.id === id);
  const [form, setForm] = useState<ScheduleForm>(() =>
    schedule
      ? scheduleFormFrom(schedule, runbookOf(schedule.runbookId))
      : newScheduleForm(runbooks[0], localTimeZone()),
  );
  const runbook = runbookOf(form.runbookId);
  const update = (patch: Partial<ScheduleForm>) => setForm((f) => ({ ...f, ...patch }));
  const onSaved = (saved: Schedule) => {
    void queryClient.invalidateQueries({ queryKey: trpc.schedules.list.queryKey() });
    dispatchToast(
      <Toast>
        <ToastTitle>{`Schedule “${saved.name}” ${schedule ? 'saved' : 'created'}.`}</ToastTitle>
      </Toast>,
      { intent: 'success' },
    );
    onClose();
  };
  const create = useMutation(trpc.schedules.create.mutationOptions({ onSuccess: onSaved }));
  const save = useMutation(trpc.schedules.update.mutationOptions({ onSuccess: onSaved }));
  const mutation = schedule ? save : create;

  const check = checkScheduleForm(form, { runbook, original: schedule });
  // The form as it was saved: the daemon's verdict on a field stands only while that field still
  // holds what was sent, and goes as soon as the operator corrects it.
  const [sent, setSent] = useState<ScheduleForm | null>(null);
  const named = fieldErrorOf(mutation.error);
  const errorFor = (field: string) =>
    named?.field === field && sent !== null && unchangedSince(sent, form, field) ? named.message : undefined;
  const parameters = runbook?.parameters ?? [];
  const phrase = runbook?.confirmationPhrase ?? '';

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (check.blocker || mutation.isPending) return;
    setSent(form);
    if (schedule) save.mutate(toUpdateInput(schedule.id, form, runbook));
    else create.mutate(toCreateInput(form, runbook));
  };

  return (
    <Dialog open onOpenChange={(_, d) => !d.open && onClose()}>
      <DialogSurface className={s.surface}>
        <form onSubmit={submit} aria-label={schedule ? `Edit schedule ${schedule.name}` : 'New schedule'}>
          <DialogBody>
            <DialogTitle>{schedule ? `Edit “${schedule.name}”` : 'New schedule'}</DialogTitle>
            <DialogContent className={s.content}>
              <Field
                label="Name"
                required
                validationState={errorFor('name') ? 'error' : 'none'}
                validationMessage={errorFor('name')}
              >
                <Input value={form.name} onChange={(_, d) => update({ name: d.value })} autoFocus />
              </Field>
              <Field
                label="Runbook"
                required
                validationState={errorFor('runbookId') ? 'error' : 'none'}
                validationMessage={errorFor('runbookId')}
              >
                <Dropdown
                  value={runbook?.title ?? form.runbookId}
                  selectedOptions={[form.runbookId]}
                  onOptionSelect={(_, d) => {
                    const next = runbookOf(d.optionValue ?? '');
                    update({
                      runbookId: d.optionValue ?? '',
                      params: initialParameterValues(next?.parameters ?? []),
                      scopeKind: next && !next.scopes.includes(form.scopeKind) ? 'tenant' : form.scopeKind,
                      confirmation: '',
                    });
                  }}
                >
                  {runbooks.map((r) => (
                    <Option key={r.id} value={r.id}>
                      {r.title}
                    </Option>
                  ))}
                </Dropdown>
              </Field>
              <ScheduleTimingFields
                cron={form.cron}
                timezone={form.timezone}
                onCronChange={(cron) => update({ cron })}
                onTimezoneChange={(timezone) => update({ timezone })}
                saveErrors={{ cron: errorFor('cron'), timezone: errorFor('timezone') }}
              />
              <ScheduleTargetFields
                form={form}
                runbook={runbook}
                onChange={update}
                scopeError={errorFor('scope')}
                modeError={errorFor('mode')}
              />
              <ParameterFields
                parameters={parameters}
                values={form.params}
                problems={{
                  ...parameterProblems(parameters, form.params, { includeMissing: false }),
                  ...apiParameterProblems(mutation.error),
                }}
                onChange={(params) => update({ params })}
              />
              {form.mode === 'run' && (
                <ReasonFields
                  code={form.reasonCode}
                  text={form.reasonText}
                  onCodeChange={(reasonCode) => update({ reasonCode })}
                  onTextChange={(reasonText) => update({ reasonText })}
                  required
                  codeError={errorFor('reasonCode')}
                  textError={errorFor('reasonText')}
                />
              )}
              {check.needsConfirmation && (
                <Field
                  label={
                    <>
                      Type <span className={s.phrase}>{phrase}</span> to confirm runs on all tenants
                    </>
                  }
                  required
                  validationState={
                    errorFor('confirmation') || (form.confirmation && !check.confirmationMatches)
                      ? 'error'
                      : 'none'
                  }
                  validationMessage={
                    errorFor('confirmation') ??
                    (form.confirmation && !check.confirmationMatches
                      ? `Type ${phrase} exactly, in capitals.`
                      : undefined)
                  }
                >
                  <Input
                    value={form.confirmation}
                    onChange={(_, d) => update({ confirmation: d.value })}
                    autoComplete="off"
                    spellCheck={false}
                  />
                </Field>
              )}
              <Switch
                checked={form.enabled}
                onChange={(_, d) => update({ enabled: d.checked })}
                label={
                  form.enabled ? 'Enabled: fires at the times above' : 'Disabled: never fires until enabled'
                }
              />
              {mutation.error &&
                !(named && (FORM_FIELDS.has(named.field) || named.field.startsWith('params.'))) && (
                  <ErrorState error={mutation.error} />
                )}
            </DialogContent>
            <DialogActions fluid>
              {check.blocker && (
                <Text size={200} className={s.blocker} id="schedule-blocker" data-testid="schedule-blocker">
                  {check.blocker}
                </Text>
              )}
              <Button onClick={onClose}>Cancel</Button>
              <Button
                appearance="primary"
                type="submit"
                disabledFocusable={check.blocker !== null || mutation.isPending}
                aria-describedby={check.blocker ? 'schedule-blocker' : undefined}
                icon={mutation.isPending ? <Spinner size="tiny" /> : undefined}
              >
                {mutation.isPending ? 'Saving…' : schedule ? 'Save schedule' : 'Create schedule'}
              </Button>
            </DialogActions>
          </DialogBody>
        </form>
      </DialogSurface>
    </Dialog>
  );
}
