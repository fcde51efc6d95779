import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

describe('ops-daemon operator add', () => {
  let t: TestDatabase;
  let env: Record<string, string>;
  beforeAll(async () => {
    t = await createTestDatabase();
    env = { DATABASE_URL: t.url, OPS_SECRET: 'a-test-secret-that-is-long-enough-for-auth' };
  });
  afterAll(() => t.drop());

  it.each([
    [['--email', 'not-an-email', '--password', 'long-enough-pw'], /--email/],
    [['--email', 'ann@ops.local', '--password', 'short'], /--password/],
    [
      ['--email', 'ann@ops.local', '--password', 'long-enough-pw', '--capability', 'platform.everything'],
      /--capability.*platform\.everything/,
    ],
    [['--password', 'long-enough-pw'], /--email is required/],
  ])('refuses %j with exit 2 naming the argument', async (args, message) => {
    const result = await runCli(['operator', 'add', ...args], env);
    expect(result.stderr).toMatch(message);
    expect(result.code).toBe(2);
  });

  it('creates an operator, then updates the same one', async () => {
    const args = ['operator', 'add', '--email', 'ann@ops.local', '--password', 'long-enough-pw', '--json'];
    const created = await runCli([...args, '--capability', 'platform.ops.view'], env);
    expect(created.code).toBe(0);
    expect(created.json()).toMatchObject({ created: true, capabilities: ['platform.ops.view'] });
    const updated = await runCli(
      [...args, '--capability', 'platform.ops.view', '--capability', 'platform.runbooks.view'],
      env,
    );
    expect(updated.json()).toMatchObject({ created: false });
    const users = await t.sql<{ email: string }>('SELECT email FROM ops."user"');
    expect(users).toEqual([{ email: 'ann@ops.local' }]);
  });
});
