import {
  Field,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  Radio,
  RadioGroup,
} from '@fluentui/react-components';
import type { Runbook, ScheduleMode } from '../api/types.ts';
import { TenantPicker } from '../runbooks/TenantPicker.tsx';
import type { ScheduleForm } from './schedule-form.ts';

export const SCHEDULE_MODE_LABELS: Readonly<Record<ScheduleMode, { label: string; hint: string }>> = {
  preflight: {
    label: 'Preflight: alert on drift',
    hint: 'Read-only. When the preflight finds records to repair, every enabled alert destination is told.',
  },
  run: {
    label: 'Run: repair unattended',
    hint: 'Starts a run as system:schedule with the reason stored here. Changes customer data.',
  },
};

/** Where a schedule acts (all tenants or one) and how (preflight that alerts, or a run). */
export function ScheduleTargetFields({
  form,
  runbook,
  onChange,
  scopeError,
  modeError,
}: {
  form: ScheduleForm;
  runbook: Runbook | undefined;
  onChange: (patch: Partial<ScheduleForm>) => void;
  scopeError?: string | undefined;
  modeError?: string | undefined;
}) {
  const scopes = runbook?.scopes ?? ['all', 'tenant'];
  return (
    <>
      <Field
        label="Scope"
        required
        validationState={scopeError && form.scopeKind === 'all' ? 'error' : 'none'}
        validationMessage={form.scopeKind === 'all' ? scopeError : undefined}
      >
        <RadioGroup
          value={form.scopeKind}
          onChange={(_, d) => onChange({ scopeKind: d.value as ScheduleForm['scopeKind'], confirmation: '' })}
          layout="horizontal"
        >
          <Radio value="all" label="All tenants" disabled={!scopes.includes('all')} />
          <Radio value="tenant" label="Single tenant" disabled={!scopes.includes('tenant')} />
        </RadioGroup>
      </Field>
      {form.scopeKind === 'tenant' && (
        <TenantPicker tenant={form.tenant} onChange={(tenant) => onChange({ tenant })} error={scopeError} />
      )}
      <Field
        label="Mode"
        required
        validationState={modeError ? 'error' : 'none'}
        validationMessage={modeError}
        hint={SCHEDULE_MODE_LABELS[form.mode].hint}
      >
        <RadioGroup
          value={form.mode}
          onChange={(_, d) => onChange({ mode: d.value as ScheduleMode, confirmation: '' })}
          layout="horizontal"
        >
          {(Object.keys(SCHEDULE_MODE_LABELS) as ScheduleMode[]).map((mode) => (
            <Radio key={mode} value={mode} label={SCHEDULE_MODE_LABELS[mode].label} />
          ))}
        </RadioGroup>
      </Field>
      {form.mode === 'run' && (
        <MessageBar intent="warning" layout="multiline" data-testid="scheduled-run-warning">
          <MessageBarBody>
            <MessageBarTitle>Scheduled runs modify customer data with nobody watching</MessageBarTitle>
            Each fire runs a preflight first and starts a run only when it finds work. Runs are locked,
            audited and alert on failure; a fire that finds the lock held is skipped, not queued.
          </MessageBarBody>
        </MessageBar>
      )}
    </>
  );
}
