import { describe, expect, it } from 'vitest';
import { describeApiError, fieldErrorOf, fieldLabel } from './api-error.ts';

/** The shape of a TRPCClientError as the console receives it (message + data). */
function apiError(message: string, data: Record<string, unknown>) {
  return Object.assign(new Error(message), { data });
}

describe('describeApiError', () => {
  it('names who holds the lock, and since when, on a 409', () => {
    const described = describeApiError(
      apiError('lock held', {
        code: 'CONFLICT',
        httpStatus: 409,
        holder: { runId: '41', actor: 'alice@ops.local', startedAt: '2026-11-26T12:00:00Z' },
      }),
      new Date('2026-11-26T12:12:00Z'),
    );
    expect(described.title).toBe('Another run holds the lock for this scope');
    expect(described.detail).toMatch(/Run #41, started by alice@ops\.local/);
    expect(described.detail).toMatch(/12 minutes ago/);
    expect(described.holderRunId).toBe('41');
  });

  it('passes the daemon message through on a 409 without a holder (data changed since preflight)', () => {
    const described = describeApiError(
      apiError('the data changed since your preflight', { code: 'CONFLICT' }),
    );
    expect(described.detail).toBe('The data changed since your preflight.');
  });

  it('names the missing capability and what it allows on a 403', () => {
    const described = describeApiError(
      apiError('missing capability', {
        code: 'FORBIDDEN',
        httpStatus: 403,
        capability: 'platform.runbooks.run',
      }),
    );
    expect(described.title).toBe('You do not have permission for this');
    expect(described.detail).toMatch(/platform\.runbooks\.run \(start, pause, resume and cancel runs\)/);
  });

  it('explains bad input by the field the daemon named', () => {
    const described = describeApiError(
      apiError('reason text must be at most 500 characters (got 501)', {
        code: 'BAD_REQUEST',
        field: 'reasonText',
      }),
    );
    expect(described).toMatchObject({ title: 'Check “Reason”', field: 'reasonText' });
    expect(described.detail).toBe('Reason text must be at most 500 characters (got 501).');
  });

  it('reads the code off the HTTP status when the daemon answered before tRPC (a tenant-plane 404)', () => {
    const guard404 = Object.assign(new Error('Unable to transform response from server'), {
      data: undefined,
      meta: { response: { status: 404 } },
    });
    expect(describeApiError(guard404).code).toBe('NOT_FOUND');
  });

  it('has words for nothing to do, an ended session, throttling, a lost database and a lost daemon', () => {
    expect(describeApiError(apiError('x', { code: 'PRECONDITION_FAILED' })).title).toBe('Nothing to do');
    expect(describeApiError(apiError('x', { code: 'UNAUTHORIZED' })).title).toBe('Your session has ended');
    expect(
      describeApiError(
        apiError(
          'this daemon is already running 2 exact preflights with 8 more waiting (at most 2 at once)',
          {
            code: 'TOO_MANY_REQUESTS',
          },
        ),
      ),
    ).toEqual({
      code: 'TOO_MANY_REQUESTS',
      title: 'The daemon is busy',
      detail:
        'This daemon is already running 2 exact preflights with 8 more waiting (at most 2 at once). Nothing was changed.',
    });
    expect(describeApiError(apiError('x', { code: 'SERVICE_UNAVAILABLE' })).title).toBe(
      'The database is unreachable',
    );
    expect(describeApiError(new TypeError('Failed to fetch'))).toMatchObject({ code: 'NETWORK' });
    expect(describeApiError(apiError('boom', { code: 'INTERNAL_SERVER_ERROR' })).detail).toMatch(
      /^Boom\. The daemon's log/,
    );
  });
});

describe('fieldErrorOf', () => {
  it('aims a bad-input error at the form field it names, without repeating the field name', () => {
    const error = apiError('cron: not a cron expression (minute: 61 is a invalid expression for minute)', {
      code: 'BAD_REQUEST',
      field: 'cron',
    });
    expect(fieldErrorOf(error)).toEqual({
      field: 'cron',
      index: null,
      message: 'Not a cron expression (minute: 61 is a invalid expression for minute).',
    });
    expect(describeApiError(error).title).toBe('Check “Cron expression”');
  });

  it('points at the entry of a list, and keeps runbook parameters whole', () => {
    expect(
      fieldErrorOf(
        apiError('recipients.1: must be an e-mail address', { code: 'BAD_REQUEST', field: 'recipients.1' }),
      ),
    ).toEqual({ field: 'recipients', index: 1, message: 'Must be an e-mail address.' });
    expect(
      fieldErrorOf(
        apiError('parameter dryRun: expected boolean', { code: 'BAD_REQUEST', field: 'params.dryRun' }),
      ),
    ).toMatchObject({ field: 'params.dryRun', index: null });
    expect(fieldLabel('params.dryRun')).toBe('Dry run');
  });

  it('is null for anything but bad input naming a field', () => {
    expect(fieldErrorOf(apiError('x', { code: 'CONFLICT' }))).toBeNull();
    expect(fieldErrorOf(apiError('x', { code: 'BAD_REQUEST' }))).toBeNull();
  });
});
