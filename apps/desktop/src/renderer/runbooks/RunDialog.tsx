import {
  Button,
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
  MessageBarTitle,
  makeStyles,
  Radio,
  RadioGroup,
  Spinner,
  Text,
  tokens,
} from '@fluentui/react-components';
import { OpenRegular } from '@fluentui/react-icons';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useState } from 'react';
import { useLocation } from 'wouter';
import { useTRPC } from '../api/trpc.ts';
import type { Runbook, ScopeInput } from '../api/types.ts';
import { useMe } from '../app/me-context.ts';
import { absolutePath, paths } from '../app/paths.ts';
import { ReasonFields } from '../components/ReasonFields.tsx';
import { isPlainLeftClick } from '../components/RouterLink.tsx';
import { ErrorState } from '../components/states.tsx';
import { plural } from '../format/numbers.ts';
import { checkRunForm, EMPTY_RUN_FORM, type RunForm, toRunRequest } from './run-form.ts';
import { TenantPicker } from './TenantPicker.tsx';
import { usePreflight } from './use-preflight.ts';

const useStyles = makeStyles({
  surface: { maxWidth: '640px' },
  content: { display: 'flex', flexDirection: 'column', gap: '16px' },
  blocker: { color: tokens.colorNeutralForeground2, marginRight: 'auto', alignSelf: 'center' },
  phrase: { fontFamily: tokens.fontFamilyMonospace, fontWeight: tokens.fontWeightSemibold },
});

function scopeOf(form: RunForm): ScopeInput | null {
  if (form.scopeKind === 'all') return { kind: 'all' };
  return form.tenant ? { kind: 'tenant', tenantId: form.tenant.id } : null;
}

/**
 * Run… : scope, preflight count, the customer-data warning, reason and typed confirmation, then
 * "View run". The Start button says what is still missing rather than failing on submit.
 */
export function RunDialog({
  runbook,
  open,
  onClose,
}: {
  runbook: Runbook;
  open: boolean;
  onClose: () => void;
}) {
  const s = useStyles();
  const me = useMe();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [, navigate] = useLocation();
  // All tenants by default (the spec's choice); a runbook that only runs per tenant starts there.
  const initialForm: RunForm = runbook.scopes.includes('all')
    ? EMPTY_RUN_FORM
    : { ...EMPTY_RUN_FORM, scopeKind: 'tenant' };
  const [form, setForm] = useState<RunForm>(initialForm);
  const preflight = usePreflight(runbook.id);
  const phrase = runbook.confirmationPhrase;
  const start = useMutation(
    trpc.runbooks.run.mutationOptions({
      onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.runbooks.list.queryKey() }),
    }),
  );
  const scope = scopeOf(form);
  const scopeKey = JSON.stringify(scope);
  const runPreflight = preflight.run;
  const resetPreflight = preflight.reset;

  // Preflight follows the scope: every change of scope or tenant asks the daemon again.
  useEffect(() => {
    if (!open) return;
    const current = JSON.parse(scopeKey) as ScopeInput | null;
    if (current) runPreflight(current);
    else resetPreflight();
  }, [open, scopeKey, runPreflight, resetPreflight]);

  const check = checkRunForm(form, preflight.status, {
    confirmationPhrase: phrase,
    breakGlass: me.breakGlass !== null,
  });
  const update = (patch: Partial<RunForm>) => setForm((f) => ({ ...f, ...patch }));
  const close = () => {
    setForm(initialForm);
    start.reset();
    onClose();
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!check.canStart || preflight.status.state !== 'ready' || start.isPending) return;
    start.mutate(toRunRequest(runbook.id, form, preflight.status.affected));
  };
  const scopeText =
    form.scopeKind === 'all'
      ? 'all tenants'
      : form.tenant
        ? `tenant ${form.tenant.name} (${form.tenant.externalId})`
        : 'one tenant';

  if (start.data) {
    const runId = start.data.runId;
    return (
      <Dialog open={open} onOpenChange={(_, d) => !d.open && close()}>
        <DialogSurface className={s.surface}>
          <DialogBody>
            <DialogTitle>Run started</DialogTitle>
            <DialogContent className={s.content}>
              <MessageBar intent="success">
                <MessageBarBody>
                  <MessageBarTitle>Run #{runId} is running</MessageBarTitle>
                  {runbook.title} on {scopeText}. You can follow its progress, pause or cancel it on its page.
                </MessageBarBody>
              </MessageBar>
            </DialogContent>
            <DialogActions>
              <Button onClick={close}>Close</Button>
              <Button
                appearance="primary"
                as="a"
                href={absolutePath(paths.run(runId))}
                icon={<OpenRegular />}
                onClick={(e) => {
                  if (!isPlainLeftClick(e)) return;
                  e.preventDefault();
                  close();
                  navigate(paths.run(runId));
                }}
              >
                View run
              </Button>
            </DialogActions>
          </DialogBody>
        </DialogSurface>
      </Dialog>
    );
  }

  return (
    <Dialog open={open} onOpenChange={(_, d) => !d.open && close()}>
      <DialogSurface className={s.surface}>
        <form onSubmit={submit} aria-label={`Run ${runbook.title}`}>
          <DialogBody>
            <DialogTitle>Run “{runbook.title}”</DialogTitle>
            <DialogContent className={s.content}>
              <Field label="Scope" required>
                <RadioGroup
                  value={form.scopeKind}
                  onChange={(_, d) =>
                    update({ scopeKind: d.value as RunForm['scopeKind'], confirmation: '' })
                  }
                  layout="horizontal"
                >
                  <Radio value="all" label="All tenants" disabled={!runbook.scopes.includes('all')} />
                  <Radio value="tenant" label="Single tenant" disabled={!runbook.scopes.includes('tenant')} />
                </RadioGroup>
              </Field>
              {form.scopeKind === 'tenant' && (
                <TenantPicker tenant={form.tenant} onChange={(tenant) => update({ tenant })} autoFocus />
              )}
              <Confirmation
                scopeText={scopeText}
                status={preflight.status}
                error={preflight.error}
                scanned={(preflight.result as Record<string, unknown> | null)?.total_scanned}
              />
              {!check.nothingToDo && (check.needsReason || form.scopeKind === 'tenant') && (
                <ReasonFields
                  code={form.reasonCode}
                  text={form.reasonText}
                  onCodeChange={(reasonCode) => update({ reasonCode })}
                  onTextChange={(reasonText) => update({ reasonText })}
                  required={check.needsReason}
                />
              )}
              {!check.nothingToDo && check.needsConfirmation && (
                <Field
                  label={
                    <>
                      Type <span className={s.phrase}>{phrase}</span> to confirm a run on all tenants
                    </>
                  }
                  required
                  validationState={form.confirmation && !check.confirmationMatches ? 'error' : 'none'}
                  validationMessage={
                    form.confirmation && !check.confirmationMatches
                      ? `Type ${phrase} exactly, in capitals.`
                      : undefined
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
              {start.error && <ErrorState error={start.error} />}
            </DialogContent>
            <DialogActions fluid>
              {check.blocker && (
                <Text size={200} className={s.blocker} id="run-blocker" data-testid="run-blocker">
                  {check.blocker}
                </Text>
              )}
              <Button onClick={close}>Cancel</Button>
              <Button
                appearance="primary"
                type="submit"
                disabledFocusable={!check.canStart || start.isPending}
                aria-describedby={check.blocker ? 'run-blocker' : undefined}
                icon={start.isPending ? <Spinner size="tiny" /> : undefined}
              >
                {check.nothingToDo ? 'Nothing to do' : start.isPending ? 'Starting…' : 'Start run'}
              </Button>
            </DialogActions>
          </DialogBody>
        </form>
      </DialogSurface>
    </Dialog>
  );
}

/** What the operator is about to do, in one place: scope, count, and that customer data changes. */
function Confirmation({
  scopeText,
  status,
  error,
  scanned,
}: {
  scopeText: string;
  status: ReturnType<typeof usePreflight>['status'];
  error: unknown;
  scanned: unknown;
}) {
  if (status.state === 'idle') return null;
  if (status.state === 'loading')
    return <Spinner size="small" label={`Running preflight on ${scopeText}…`} labelPosition="after" />;
  if (status.state === 'error') return <ErrorState error={error} />;
  if (status.affected === 0) {
    return (
      <MessageBar intent="info" data-testid="nothing-to-do">
        <MessageBarBody>
          <MessageBarTitle>Nothing to do</MessageBarTitle>
          Preflight found no records to change on {scopeText}
          {typeof scanned === 'number' ? ` (${plural(scanned, 'record')} scanned)` : ''}, so there is nothing
          to run.
        </MessageBarBody>
      </MessageBar>
    );
  }
  return (
    <MessageBar intent="warning" layout="multiline" data-testid="run-confirmation">
      <MessageBarBody>
        <MessageBarTitle>This run modifies customer data</MessageBarTitle>
        It will change {plural(status.affected, 'record')} on {scopeText}, according to the preflight just
        now. The run is locked, audited and can be paused or cancelled, but changes already written stay.
      </MessageBarBody>
    </MessageBar>
  );
}
