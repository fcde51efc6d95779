import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/database.ts';
import {
  type AuthServer,
  RUNBOOK_CAPABILITY,
  signIn,
  startAuthServer,
} from '../../../../test/support/identity-kit.ts';
import { InputError } from '../errors.ts';
import { ALL_PLATFORM_CAPABILITIES } from './capabilities.ts';

const PASSWORD = 'ops-demo-password';

describe('accounts', () => {
  let t: TestDatabase;
  let s: AuthServer;
  beforeAll(async () => {
    t = await createTestDatabase();
    s = await startAuthServer(t.db);
  });
  afterAll(async () => {
    await s.close();
    await t.drop();
  });

  const base = { email: 'a@ops.local', password: PASSWORD, plane: 'platform' as const, capabilities: [] };

  it.each([
    [{ ...base, email: 'not-an-email' }, 'email', /not a valid e-mail/],
    [{ ...base, password: 'short' }, 'password', /at least 8/],
    [{ ...base, capabilities: ['platform.ops.view', 'platform.root'] }, 'capability', /"platform\.root"/],
    [
      { ...base, plane: 'tenant' as const, capabilities: ['platform.ops.view'] },
      'capability',
      /tenant-plane/,
    ],
  ])('refuses invalid input naming the field (%#)', async (input, field, message) => {
    const error = await s.identity.upsertAccount(input).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect(error).toMatchObject({ field, message: expect.stringMatching(message) });
    expect(await t.sql('SELECT 1 FROM ops."user"')).toEqual([]);
  });

  it('accepts runbook capabilities the registry knows', async () => {
    const result = await s.identity.upsertAccount({
      ...base,
      email: 'rb@ops.local',
      capabilities: [RUNBOOK_CAPABILITY],
    });
    expect(result.created).toBe(true);
  });

  it('updates an existing account in place and re-sets its password', async () => {
    const first = await s.identity.upsertAccount({ ...base, email: 'Upd@Ops.Local', name: 'First' });
    const second = await s.identity.upsertAccount({
      ...base,
      email: 'upd@ops.local',
      password: 'a-new-password',
      capabilities: ['platform.ops.view'],
    });
    expect(second).toEqual({ id: first.id, created: false });
    const rows = await t.sql('SELECT email, name, plane, capabilities FROM ops."user" WHERE id = $1', [
      first.id,
    ]);
    expect(rows).toEqual([
      { email: 'upd@ops.local', name: 'First', plane: 'platform', capabilities: ['platform.ops.view'] },
    ]);
    expect((await signIn(s.baseUrl, 'upd@ops.local', PASSWORD)).status).toBe(401);
    expect((await signIn(s.baseUrl, 'upd@ops.local', 'a-new-password')).status).toBe(200);
  });

  it('stores a password hash, not the password', async () => {
    const rows = await t.sql<{ password: string }>(
      `SELECT a.password FROM ops."account" a JOIN ops."user" u ON u.id = a."userId" WHERE u.email = 'upd@ops.local'`,
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]?.password).not.toContain('a-new-password');
  });

  it('makes the demo accounts once, however often it runs, and they can sign in', async () => {
    const first = await s.identity.ensureDemoAccounts(PASSWORD);
    const second = await s.identity.ensureDemoAccounts(PASSWORD);
    expect(second).toEqual(first);
    expect(first).toEqual([
      {
        email: 'operator@ops.local',
        plane: 'platform',
        capabilities: [...ALL_PLATFORM_CAPABILITIES, RUNBOOK_CAPABILITY],
      },
      {
        email: 'viewer@ops.local',
        plane: 'platform',
        capabilities: ['platform.ops.view', 'platform.runbooks.view'],
      },
      { email: 'customer@tenant-1.example', plane: 'tenant', capabilities: [] },
      {
        email: 'responder@ops.local',
        plane: 'platform',
        capabilities: ['platform.ops.view', 'platform.breakglass'],
      },
      {
        email: 'approver@ops.local',
        plane: 'platform',
        capabilities: ['platform.ops.view', 'platform.runbooks.view', 'platform.runbooks.approve'],
      },
    ]);
    const counts = await t.sql<{ users: number; accounts: number }>(
      `SELECT (SELECT count(*)::int FROM ops."user" WHERE email = ANY($1)) AS users,
              (SELECT count(*)::int FROM ops."account" a JOIN ops."user" u ON u.id = a."userId" WHERE u.email = ANY($1)) AS accounts`,
      [first.map((a) => a.email)],
    );
    expect(counts).toEqual([{ users: 5, accounts: 5 }]);
    for (const account of first) expect((await signIn(s.baseUrl, account.email, PASSWORD)).status).toBe(200);
  });

  it('creates each account once when two upserts race', async () => {
    const results = await Promise.all([
      s.identity.upsertAccount({ ...base, email: 'race@ops.local' }),
      s.identity.upsertAccount({ ...base, email: 'race@ops.local' }),
    ]);
    expect(results.map((r) => r.created).sort()).toEqual([false, true]);
    expect(new Set(results.map((r) => r.id)).size).toBe(1);
    expect((await signIn(s.baseUrl, 'race@ops.local', PASSWORD)).status).toBe(200);
  });
});
