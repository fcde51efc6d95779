import { describe, expect, it } from 'vitest';
import type { Runbook, Schedule } from '../api/types.ts';
import {
  checkScheduleForm,
  needsConfirmation,
  newScheduleForm,
  type ScheduleForm,
  scheduleFormFrom,
  timingProblems,
  toCreateInput,
  toUpdateInput,
  unchangedSince,
} from './schedule-form.ts';

const dedupe = {
  id: 'findings.events.dedupe',
  title: 'Remove duplicate finding events',
  confirmationPhrase: 'DEDUPE',
  scopes: ['all', 'tenant'],
  parameters: [
    {
      name: 'dryRun',
      kind: 'boolean',
      required: false,
      description: null,
      default: false,
      options: null,
      minimum: null,
      maximum: null,
    },
  ],
} as unknown as Runbook;

const tenant = { id: 3, externalId: 'tenant-3', name: 'Acme 3' };

const saved = {
  id: '9',
  name: 'nightly dedupe',
  cron: '30 2 * * *',
  timezone: 'Europe/Berlin',
  runbookId: dedupe.id,
  scope: { kind: 'all' },
  params: { dryRun: true },
  mode: 'run',
  reasonCode: 'DATA_REPAIR',
  reasonText: 'keep events clean',
  enabled: true,
} as unknown as Schedule;

const complete = (patch: Partial<ScheduleForm> = {}): ScheduleForm => ({
  ...newScheduleForm(dedupe, 'UTC'),
  name: 'nightly',
  ...patch,
});

describe('the schedule form', () => {
  it('starts as a nightly preflight of the first runbook, in the given zone', () => {
    expect(newScheduleForm(dedupe, 'Europe/Berlin')).toMatchObject({
      runbookId: dedupe.id,
      cron: '0 3 * * *',
      timezone: 'Europe/Berlin',
      mode: 'preflight',
      scopeKind: 'all',
      params: { dryRun: false },
    });
  });

  it('names what is missing, in order, before Save', () => {
    const check = (f: ScheduleForm) => checkScheduleForm(f, { runbook: dedupe, original: null }).blocker;
    expect(check(complete({ name: ' ' }))).toBe('Give the schedule a name.');
    expect(check(complete({ cron: '' }))).toBe('Enter a cron expression.');
    expect(check(complete({ scopeKind: 'tenant' }))).toBe('Choose the tenant.');
    expect(check(complete({ mode: 'run' }))).toBe('Choose a reason code: scheduled runs are unattended.');
    expect(check(complete({ mode: 'run', reasonCode: 'INCIDENT' }))).toBe('Write the reason for these runs.');
    expect(check(complete({ mode: 'run', reasonCode: 'INCIDENT', reasonText: 'x' }))).toBe(
      'Type DEDUPE to confirm runs on all tenants.',
    );
    expect(
      check(complete({ mode: 'run', reasonCode: 'INCIDENT', reasonText: 'x', confirmation: 'DEDUPE' })),
    ).toBeNull();
    expect(check(complete())).toBeNull();
  });

  it('asks for the phrase for runs on all tenants only, and again only when the target changes', () => {
    expect(needsConfirmation(complete({ mode: 'run', scopeKind: 'tenant', tenant }), null)).toBe(false);
    expect(needsConfirmation(complete({ mode: 'run' }), null)).toBe(true);
    const editing = scheduleFormFrom(saved, dedupe);
    expect(needsConfirmation(editing, saved)).toBe(false);
    expect(needsConfirmation({ ...editing, runbookId: 'other' }, saved)).toBe(true);
  });

  it('edits a saved schedule as it was saved', () => {
    expect(scheduleFormFrom(saved, dedupe)).toMatchObject({
      name: 'nightly dedupe',
      timezone: 'Europe/Berlin',
      mode: 'run',
      reasonCode: 'DATA_REPAIR',
      params: { dryRun: true },
    });
  });

  it('sends the whole schedule, with no reason in preflight mode', () => {
    expect(toCreateInput(complete({ scopeKind: 'tenant', tenant, reasonText: 'left over' }), dedupe)).toEqual(
      {
        name: 'nightly',
        cron: '0 3 * * *',
        timezone: 'UTC',
        runbookId: dedupe.id,
        scope: { kind: 'tenant', tenantId: 3 },
        params: { dryRun: false },
        mode: 'preflight',
        reasonCode: null,
        reasonText: null,
        enabled: true,
      },
    );
    const update = toUpdateInput('9', { ...scheduleFormFrom(saved, dedupe), enabled: false }, dedupe);
    expect(update).toMatchObject({ id: '9', enabled: false, reasonCode: 'DATA_REPAIR', mode: 'run' });
    expect(update).not.toHaveProperty('confirmation');
  });
});

describe('a schedule’s timing, checked in the console by the daemon’s rule', () => {
  const form = (over: Partial<ScheduleForm> = {}): ScheduleForm => ({
    ...newScheduleForm(dedupe, 'UTC'),
    name: 'nightly',
    ...over,
  });

  it('blocks Save on a wrong expression or an unknown zone, saying which', () => {
    const check = (over: Partial<ScheduleForm>) =>
      checkScheduleForm(form(over), { runbook: dedupe, original: null }).blocker;
    expect(check({ cron: '61 * * * *' })).toBe('Correct the cron expression.');
    expect(check({ timezone: 'Mars/Olympus_Mons' })).toBe('Choose a time zone from the list.');
    expect(check({})).toBeNull();
  });

  it('names the field part and its range, and the zone it does not know', () => {
    expect(timingProblems('61 * * * *', 'UTC')).toEqual({
      cron: 'The minute field (1st) has “61”; minutes run from 0 to 59.',
      timezone: null,
    });
    expect(timingProblems('', 'Mars/Olympus_Mons').timezone).toMatch(
      /^“Mars\/Olympus_Mons” is not a time zone/,
    );
    expect(timingProblems('', 'UTC')).toEqual({ cron: null, timezone: null });
  });

  it('keeps the daemon’s verdict on a field only while the field holds what was sent', () => {
    const sent = form({ cron: '0 3 * * *' });
    expect(unchangedSince(sent, sent, 'cron')).toBe(true);
    expect(unchangedSince(sent, { ...sent, cron: '0 4 * * *' }, 'cron')).toBe(false);
    expect(unchangedSince(sent, { ...sent, name: 'other' }, 'cron')).toBe(true);
    expect(unchangedSince(sent, { ...sent, scopeKind: 'tenant', tenant }, 'scope')).toBe(false);
  });
});
