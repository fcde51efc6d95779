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
  makeStyles,
  Radio,
  RadioGroup,
  Spinner,
  Text,
  tokens,
} from '@fluentui/react-components';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useState } from 'react';
import { useTRPC } from '../api/trpc.ts';
import type { Runbook, ScopeInput } from '../api/types.ts';
import { useMe } from '../app/me-context.ts';
import { ApprovalRequestedDialog } from '../approvals/ApprovalRequestedDialog.tsx';
import { approvalModeLabel } from '../approvals/approval-words.ts';
import { ReasonFields } from '../components/ReasonFields.tsx';
import { ErrorState } from '../components/states.tsx';
import { useDebounced } from '../components/use-debounced.ts';
import { ChangeSampleTable } from './ChangeSampleTable.tsx';
import { CsvInputField } from './CsvInputField.tsx';
import type { ChosenCsv } from './csv-file.ts';
import { ParameterFields } from './ParameterFields.tsx';
import { PreflightConfirmation } from './PreflightConfirmation.tsx';
import {
  apiParameterProblems,
  firstParameterProblem,
  type ParameterValues,
  parameterProblems,
  toParamsPayload,
} from './parameter-values.ts';
import { RunStartedDialog } from './RunStartedDialog.tsx';
import {
  checkRunForm,
  confirmedCountOf,
  EMPTY_RUN_FORM,
  type PreflightStatus,
  type RunForm,
  toRunRequest,
} from './run-form.ts';
import { TenantPicker } from './TenantPicker.tsx';
import { type PreflightState, usePreflight } from './use-preflight.ts';

const useStyles = makeStyles({
  surface: { maxWidth: '640px' },
  // The content scrolls when it is taller than the window: its parts keep their height.
  content: { display: 'flex', flexDirection: 'column', gap: '16px', '& > *': { flexShrink: 0 } },
  blocker: { color: tokens.colorNeutralForeground2, marginRight: 'auto', alignSelf: 'center' },
  phrase: { fontFamily: tokens.fontFamilyMonospace, fontWeight: tokens.fontWeightSemibold },
});

/** Parameters are typed into text boxes: preflight again once typing pauses, not on every key. */
const PARAMETER_PREFLIGHT_DEBOUNCE_MS = 400;

/** The preflight as the run form sees it: the exact count, or meanwhile an estimate that found work. */
function estimatedOrExact(preflight: PreflightState): PreflightStatus {
  const { status, estimate } = preflight;
  if (status.state !== 'loading' || !estimate || estimate.affected_count === 0) return status;
  return {
    state: 'estimated',
    affected: estimate.affected_count,
    margin: estimate.exact ? 0 : estimate.margin,
  };
}

function scopeOf(form: RunForm): ScopeInput | null {
  if (form.scopeKind === 'all') return { kind: 'all' };
  return form.tenant ? { kind: 'tenant', tenantId: form.tenant.id } : null;
}

/**
 * Run… : scope, parameters, preflight count, the customer-data warning, reason and typed
 * confirmation, then "View run". The Start button says what is still missing rather than failing
 * on submit. Mounted when opened, so it starts from the parameters chosen on the card.
 */
export function RunDialog({
  runbook,
  initialParams,
  onClose,
}: {
  runbook: Runbook;
  initialParams: ParameterValues;
  onClose: () => void;
}) {
  const s = useStyles();
  const me = useMe();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  // All tenants by default (the spec's choice); a runbook that only runs per tenant starts there.
  const [form, setForm] = useState<RunForm>(
    runbook.scopes.includes('all') ? EMPTY_RUN_FORM : { ...EMPTY_RUN_FORM, scopeKind: 'tenant' },
  );
  const [params, setParams] = useState(initialParams);
  // The checked CSV file of a runbook that takes one, numbered so each choice preflights afresh.
  const [file, setFile] = useState<{ chosen: ChosenCsv; version: number } | null>(null);
  const inputProblem = runbook.input && !file ? 'Choose a CSV file that passes the check' : null;
  const preflight = usePreflight(runbook.id);
  const phrase = runbook.confirmationPhrase;
  const start = useMutation(
    trpc.runbooks.run.mutationOptions({
      onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.runbooks.list.queryKey() }),
    }),
  );
  // Four-eyes approval: when the runbook's policy holds this scope for approval, the dialog asks
  // another operator instead of starting (approvals.request); the run starts from the request.
  const policies = useQuery(trpc.approvals.policies.queryOptions(undefined, { retry: false }));
  const requestApproval = useMutation(trpc.approvals.request.mutationOptions());
  const policy = policies.data?.find((p) => p.runbookId === runbook.id);
  const needsApproval = policy ? policy.requiredFor[form.scopeKind] : false;
  const parametersProblem = firstParameterProblem(
    runbook.parameters,
    parameterProblems(runbook.parameters, params, { includeMissing: true }),
  );
  const payload = toParamsPayload(runbook.parameters, params);
  const payloadKey = JSON.stringify(payload);
  const settledPayloadKey = useDebounced(payloadKey, PARAMETER_PREFLIGHT_DEBOUNCE_MS);
  const scope = scopeOf(form);
  // Preflight follows scope (at once) and parameters (once typing pauses).
  const preflightKey =
    parametersProblem || inputProblem || !scope
      ? null
      : JSON.stringify({ scope, payload: JSON.parse(settledPayloadKey), file: file?.version ?? null });
  const runPreflight = preflight.run;
  const resetPreflight = preflight.reset;

  useEffect(() => {
    if (!preflightKey) {
      resetPreflight();
      return;
    }
    const request = JSON.parse(preflightKey) as { scope: ScopeInput; payload: Record<string, unknown> };
    runPreflight(request.scope, request.payload, file?.chosen ?? null);
  }, [preflightKey, runPreflight, resetPreflight, file]);

  // A count for parameters the operator has since changed is no count for a run. While the exact
  // count runs (tens of seconds on a big table), the estimate that found work is one to start on:
  // labelled as an estimate with its margin, and the run checks it exactly before writing.
  const preflightStatus: PreflightStatus =
    payloadKey !== settledPayloadKey ? { state: 'loading' } : estimatedOrExact(preflight);
  const check = checkRunForm(form, preflightStatus, {
    confirmationPhrase: phrase,
    breakGlass: me.breakGlass !== null,
    parametersProblem: parametersProblem ?? inputProblem,
  });
  const fieldProblems = {
    ...parameterProblems(runbook.parameters, params, { includeMissing: false }),
    ...apiParameterProblems(preflight.error),
    ...apiParameterProblems(start.error),
    ...apiParameterProblems(requestApproval.error),
  };
  const update = (patch: Partial<RunForm>) => setForm((f) => ({ ...f, ...patch }));
  const close = () => {
    start.reset();
    requestApproval.reset();
    onClose();
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const confirmed = confirmedCountOf(preflightStatus);
    if (!check.canStart || !confirmed || start.isPending || requestApproval.isPending) return;
    const request = {
      ...toRunRequest(runbook.id, form, confirmed, payload),
      ...(file ? { input: file.chosen } : {}),
    };
    if (needsApproval) requestApproval.mutate(request);
    else start.mutate(request);
  };
  const scopeText =
    form.scopeKind === 'all'
      ? 'all tenants'
      : form.tenant
        ? `tenant ${form.tenant.name} (${form.tenant.externalId})`
        : 'one tenant';

  if (requestApproval.data) {
    return (
      <ApprovalRequestedDialog
        requestId={requestApproval.data.id}
        runbookTitle={runbook.title}
        scopeText={scopeText}
        className={s.surface}
        onClose={close}
      />
    );
  }

  if (start.data) {
    return (
      <RunStartedDialog
        runId={start.data.runId}
        runbookTitle={runbook.title}
        scopeText={scopeText}
        className={s.surface}
        onClose={close}
      />
    );
  }

  return (
    <Dialog open onOpenChange={(_, d) => !d.open && close()}>
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
              {runbook.input && (
                <CsvInputField
                  spec={runbook.input}
                  onChange={(chosen) =>
                    setFile((f) => (chosen ? { chosen, version: (f?.version ?? 0) + 1 } : null))
                  }
                />
              )}
              <ParameterFields
                parameters={runbook.parameters}
                values={params}
                problems={fieldProblems}
                onChange={setParams}
              />
              <PreflightConfirmation
                scopeText={scopeText}
                preflight={preflight}
                confirmable={preflightStatus.state === 'estimated'}
                showError={Object.keys(apiParameterProblems(preflight.error)).length === 0}
              />
              {/* Rehearse with a diff: what the run would change, read before confirming. */}
              {preflight.diff && preflightStatus.state !== 'idle' && preflightStatus.state !== 'error' && (
                <ChangeSampleTable sample={preflight.diff} scopeText={scopeText} />
              )}
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
              {start.error && Object.keys(apiParameterProblems(start.error)).length === 0 && (
                <ErrorState error={start.error} />
              )}
              {needsApproval && policy && !check.nothingToDo && (
                <MessageBar intent="warning" data-testid="approval-needed">
                  <MessageBarBody>
                    This run needs a second operator's approval (
                    {approvalModeLabel(policy.mode).toLowerCase()}). “Request approval” sends it to the
                    approvers; the run starts from the request once another operator approved it.
                  </MessageBarBody>
                </MessageBar>
              )}
              {requestApproval.error &&
                Object.keys(apiParameterProblems(requestApproval.error)).length === 0 && (
                  <ErrorState error={requestApproval.error} />
                )}
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
                disabledFocusable={!check.canStart || start.isPending || requestApproval.isPending}
                aria-describedby={check.blocker ? 'run-blocker' : undefined}
                icon={start.isPending ? <Spinner size="tiny" /> : undefined}
              >
                {check.nothingToDo
                  ? 'Nothing to do'
                  : needsApproval
                    ? requestApproval.isPending
                      ? 'Requesting…'
                      : 'Request approval'
                    : start.isPending
                      ? 'Starting…'
                      : 'Start run'}
              </Button>
            </DialogActions>
          </DialogBody>
        </form>
      </DialogSurface>
    </Dialog>
  );
}
