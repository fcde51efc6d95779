import { describe, expect, it } from 'vitest';
import type { RunbookParameter } from '../api/types.ts';
import {
  apiParameterProblems,
  firstParameterProblem,
  formatParameterValue,
  initialParameterValues,
  parameterLabel,
  parameterProblems,
  toParamsPayload,
} from './parameter-values.ts';

function parameter(p: Partial<RunbookParameter> & Pick<RunbookParameter, 'name' | 'kind'>): RunbookParameter {
  return {
    required: false,
    description: null,
    default: null,
    options: null,
    minimum: null,
    maximum: null,
    ...p,
  };
}

const dryRun = parameter({ name: 'dryRun', kind: 'boolean', default: false });
const ticket = parameter({ name: 'ticket', kind: 'text', required: true });
const batch = parameter({ name: 'batch_size', kind: 'integer', minimum: 1, maximum: 500 });
const ratio = parameter({ name: 'ratio', kind: 'number', minimum: 0, maximum: 1, default: 0.5 });
const mode = parameter({ name: 'mode', kind: 'enum', options: ['fast', 'thorough'], default: 'fast' });
const since = parameter({ name: 'since', kind: 'date' });
const all = [dryRun, ticket, batch, ratio, mode, since];

describe('runbook parameter values', () => {
  it('labels parameters in words', () => {
    expect(parameterLabel(dryRun)).toBe('Dry run');
    expect(parameterLabel(batch)).toBe('Batch size');
  });

  it('starts from the given values, then the defaults, then empty', () => {
    expect(initialParameterValues(all, { ticket: 'INC-1', dryRun: true })).toEqual({
      dryRun: true,
      ticket: 'INC-1',
      batch_size: '',
      ratio: '0.5',
      mode: 'fast',
      since: '',
    });
    // A value of the wrong type (an old schedule's) falls back to the default.
    expect(initialParameterValues([dryRun], { dryRun: 'yes' })).toEqual({ dryRun: false });
  });

  it('reports a missing required value only once the operator tried to go on', () => {
    const values = initialParameterValues(all);
    expect(parameterProblems(all, values, { includeMissing: false })).toEqual({});
    expect(parameterProblems(all, values, { includeMissing: true })).toEqual({
      ticket: 'Enter a value: this parameter is required.',
    });
  });

  it('checks numbers, whole numbers, bounds, options and dates', () => {
    const values = {
      ...initialParameterValues(all),
      ticket: 'x',
      batch_size: '2.5',
      ratio: '3',
      mode: 'slow',
      since: '2026-13-45',
    };
    const problems = parameterProblems(all, values, { includeMissing: false });
    expect(problems).toEqual({
      batch_size: 'Enter a whole number.',
      ratio: 'Enter a number between 0 and 1.',
      mode: 'Choose one of fast, thorough.',
      since: 'Enter a date (year-month-day).',
    });
    expect(firstParameterProblem(all, problems)).toBe('Check “Batch size”: Enter a whole number.');
    expect(parameterProblems([batch], { batch_size: 'ten' }, { includeMissing: true })).toEqual({
      batch_size: 'Enter a number.',
    });
  });

  it('sends typed values and leaves empty optional fields out, so defaults apply', () => {
    const values = { ...initialParameterValues(all), ticket: ' INC-7 ', batch_size: '20' };
    expect(toParamsPayload(all, values)).toEqual({
      dryRun: false,
      ticket: 'INC-7',
      batch_size: 20,
      ratio: 0.5,
      mode: 'fast',
    });
  });

  it('puts the daemon’s verdict on the parameter it names', () => {
    const error = Object.assign(new Error('parameter ticket: must look like INC-123'), {
      data: { code: 'BAD_REQUEST', field: 'params.ticket' },
    });
    expect(apiParameterProblems(error)).toEqual({ ticket: 'Must look like INC-123.' });
    const other = Object.assign(new Error('x'), { data: { code: 'BAD_REQUEST', field: 'reasonText' } });
    expect(apiParameterProblems(other)).toEqual({});
  });

  it('shows stored values as operators read them', () => {
    expect(formatParameterValue(true)).toBe('Yes');
    expect(formatParameterValue(false)).toBe('No');
    expect(formatParameterValue(20)).toBe('20');
    expect(formatParameterValue('2026-11-01')).toBe('2026-11-01');
  });
});
