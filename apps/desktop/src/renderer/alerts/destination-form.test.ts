import { describe, expect, it } from 'vitest';
import type { AlertDestination } from '../api/types.ts';
import {
  destinationBlocker,
  destinationFormFrom,
  newDestinationForm,
  parseRecipients,
  toCreateInput,
  toUpdateInput,
} from './destination-form.ts';

const saved: AlertDestination = {
  id: '4',
  kind: 'email',
  name: 'On-call',
  enabled: true,
  notifyOnSuccess: false,
  recipients: ['a@ops.example', 'b@ops.example'],
  smtpUrl: 'smtp://mailer:****@mail.example:25',
  webhookUrl: null,
  source: 'console',
  createdAt: '2026-11-26T10:00:00Z',
  updatedAt: '2026-11-26T10:00:00Z',
};

describe('the destination form', () => {
  it('reads recipients separated by commas, semicolons, spaces or lines', () => {
    expect(parseRecipients(' a@x.example, b@x.example;c@x.example\nd@x.example  ')).toEqual([
      'a@x.example',
      'b@x.example',
      'c@x.example',
      'd@x.example',
    ]);
  });

  it('says what is missing before Save', () => {
    expect(destinationBlocker(newDestinationForm('email'), null)).toBe('Give the destination a name.');
    expect(destinationBlocker({ ...newDestinationForm('email'), name: 'x' }, null)).toBe(
      'Add at least one recipient.',
    );
    expect(destinationBlocker({ ...newDestinationForm('teams'), name: 'x' }, null)).toMatch(/webhook URL/);
    // On an edit the stored webhook stays when the box is left empty.
    const teams = { ...saved, kind: 'teams' as const, recipients: [], webhookUrl: 'https://x/…abcd' };
    expect(destinationBlocker(destinationFormFrom(teams), teams)).toBeNull();
  });

  it('creates an e-mail destination that uses the daemon’s SMTP server unless given one', () => {
    const form = { ...newDestinationForm('email'), name: ' Ops ', recipients: 'ops@x.example' };
    expect(toCreateInput(form)).toEqual({
      kind: 'email',
      name: 'Ops',
      recipients: ['ops@x.example'],
      enabled: true,
      notifyOnSuccess: false,
    });
    expect(toCreateInput({ ...form, smtpUrl: 'smtp://127.0.0.1:25' })).toMatchObject({
      smtpUrl: 'smtp://127.0.0.1:25',
    });
  });

  it('never sends a secret back unless a new one was typed', () => {
    const edit = { ...destinationFormFrom(saved), notifyOnSuccess: true };
    expect(toUpdateInput(edit, saved)).toEqual({
      id: '4',
      name: 'On-call',
      enabled: true,
      notifyOnSuccess: true,
      recipients: ['a@ops.example', 'b@ops.example'],
    });
    expect(toUpdateInput({ ...edit, useDaemonSmtp: true }, saved)).toMatchObject({ smtpUrl: null });
  });

  it('leaves the address of a destination from the environment alone', () => {
    const fromEnv = { ...saved, source: 'environment' as const };
    expect(toUpdateInput({ ...destinationFormFrom(fromEnv), enabled: false }, fromEnv)).toEqual({
      id: '4',
      name: 'On-call',
      enabled: false,
      notifyOnSuccess: false,
    });
  });
});
