import { describe, expect, it } from 'vitest';
import {
  checkRunForm,
  confirmedCountOf,
  EMPTY_RUN_FORM,
  type PreflightStatus,
  type RunForm,
  toRunRequest,
} from './run-form.ts';

const ready = (affected: number): PreflightStatus => ({ state: 'ready', affected });
const options = { confirmationPhrase: 'BACKFILL', breakGlass: false };
const tenant = { id: 7, externalId: 'tenant-7', name: 'Acme 7' };
const completeAll: RunForm = {
  ...EMPTY_RUN_FORM,
  reasonCode: 'DATA_REPAIR',
  reasonText: 'rebuild after import',
  confirmation: 'BACKFILL',
};

describe('checkRunForm', () => {
  it('defaults to all tenants, the scope with the strongest safeguards', () => {
    expect(EMPTY_RUN_FORM.scopeKind).toBe('all');
    const check = checkRunForm(EMPTY_RUN_FORM, ready(10), options);
    expect(check).toMatchObject({ canStart: false, needsReason: true, needsConfirmation: true });
  });

  it('keeps an all-tenants run disabled until reason code, reason and the typed phrase are all there', () => {
    expect(checkRunForm({ ...completeAll, reasonCode: null }, ready(10), options).blocker).toBe(
      'Choose a reason code.',
    );
    expect(checkRunForm({ ...completeAll, reasonText: '   ' }, ready(10), options).blocker).toBe(
      'Write the reason for this run.',
    );
    expect(checkRunForm({ ...completeAll, confirmation: 'backfill' }, ready(10), options).blocker).toBe(
      'Type BACKFILL to confirm.',
    );
    expect(checkRunForm(completeAll, ready(10), options)).toMatchObject({ canStart: true, blocker: null });
  });

  it('refuses a reason longer than 500 characters', () => {
    const check = checkRunForm({ ...completeAll, reasonText: 'x'.repeat(501) }, ready(10), options);
    expect(check).toMatchObject({ canStart: false, reasonTextTooLong: true });
    expect(check.blocker).toMatch(/500 characters/);
  });

  it('is "Nothing to do" when preflight finds 0, whatever else is filled in', () => {
    const check = checkRunForm(completeAll, ready(0), options);
    expect(check).toMatchObject({ canStart: false, nothingToDo: true });
    expect(check.blocker).toMatch(/^Nothing to do/);
  });

  it('waits for the preflight, and refuses to start when it failed', () => {
    expect(checkRunForm(completeAll, { state: 'loading' }, options).blocker).toMatch(
      /Waiting for the preflight/,
    );
    expect(checkRunForm(completeAll, { state: 'error' }, options).blocker).toMatch(/preflight failed/);
  });

  it('needs only the tenant for a single-tenant run, and a reason again under break-glass', () => {
    const single: RunForm = { ...EMPTY_RUN_FORM, scopeKind: 'tenant', tenant: null };
    expect(checkRunForm(single, { state: 'idle' }, options).blocker).toBe('Choose the tenant to run on.');
    expect(checkRunForm({ ...single, tenant }, ready(3), options)).toMatchObject({
      canStart: true,
      needsConfirmation: false,
    });
    expect(checkRunForm({ ...single, tenant }, ready(3), { ...options, breakGlass: true }).blocker).toBe(
      'Choose a reason code.',
    );
  });
});

describe('checkRunForm with runbook parameters', () => {
  it('asks for the parameters to be fixed before anything that depends on the preflight', () => {
    const check = checkRunForm(
      completeAll,
      { state: 'idle' },
      {
        ...options,
        parametersProblem: 'Check “Ticket”: Enter a value: this parameter is required.',
      },
    );
    expect(check).toMatchObject({
      canStart: false,
      blocker: 'Check “Ticket”: Enter a value: this parameter is required.',
    });
  });
});

describe('toRunRequest', () => {
  it('sends the runbook parameters when it has any', () => {
    expect(toRunRequest('r', completeAll, 5, { dryRun: true }).params).toEqual({ dryRun: true });
    expect(toRunRequest('r', completeAll, 5, {})).not.toHaveProperty('params');
  });

  it('sends scope, reason, phrase and the preflight count the operator saw', () => {
    expect(toRunRequest('findings.lifecycle.backfill', completeAll, 12)).toEqual({
      runbookId: 'findings.lifecycle.backfill',
      scope: { kind: 'all' },
      preflightAffectedCount: 12,
      reasonCode: 'DATA_REPAIR',
      reasonText: 'rebuild after import',
      confirmation: 'BACKFILL',
    });
  });

  it('sends the estimate and its margin when the operator confirmed the estimate', () => {
    expect(toRunRequest('r', completeAll, { affected: 1200, margin: 40 })).toMatchObject({
      preflightAffectedCount: 1200,
      preflightMargin: 40,
    });
    expect(toRunRequest('r', completeAll, { affected: 12, margin: 0 })).not.toHaveProperty('preflightMargin');
  });

  it('lets a run start on an estimate that found work, never on a count of 0', () => {
    const estimated = { state: 'estimated' as const, affected: 1200, margin: 40 };
    expect(
      checkRunForm(completeAll, estimated, { confirmationPhrase: 'BACKFILL', breakGlass: false }),
    ).toMatchObject({ canStart: true, nothingToDo: false });
    expect(confirmedCountOf(estimated)).toEqual({ affected: 1200, margin: 40 });
    expect(confirmedCountOf({ state: 'ready', affected: 0 })).toBeNull();
    expect(confirmedCountOf({ state: 'loading' })).toBeNull();
  });

  it('sends the tenant id and no phrase for a single tenant', () => {
    const request = toRunRequest('r', { ...EMPTY_RUN_FORM, scopeKind: 'tenant', tenant }, 3);
    expect(request).toEqual({
      runbookId: 'r',
      scope: { kind: 'tenant', tenantId: 7 },
      preflightAffectedCount: 3,
    });
  });
});
