import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/database.ts';
import { type AuthServer, signIn, startAuthServer } from '../../../../test/support/identity-kit.ts';
import { type Database, openDatabase } from '../db/connection.ts';
import { LoginThrottle } from './login-throttle.ts';

const PASSWORD = 'correct horse battery';

describe('sign-in throttling', () => {
  let t: TestDatabase;
  let a: AuthServer;
  let b: AuthServer;
  let secondDb: Database;
  beforeAll(async () => {
    t = await createTestDatabase();
    a = await startAuthServer(t.db);
    // A second "daemon": its own pools and server, the same database.
    secondDb = await openDatabase(t.url);
    b = await startAuthServer(secondDb);
    for (const email of ['one@ops.local', 'two@ops.local', 'three@ops.local', 'four@ops.local']) {
      await a.identity.upsertAccount({ email, password: PASSWORD, plane: 'platform', capabilities: [] });
    }
  });
  afterAll(async () => {
    await a.close();
    await b.close();
    await secondDb.close();
    await t.drop();
  });

  it('refuses the 11th attempt within a minute for one (IP, e-mail) with 429, and audits it', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++)
      statuses.push((await signIn(a.baseUrl, 'one@ops.local', `wrong-${i}-password`)).status);
    expect(statuses).toEqual(Array(10).fill(401));
    // Even the right password is refused now: the limit counts attempts, not failures.
    const eleventh = await signIn(a.baseUrl, 'ONE@ops.local', PASSWORD);
    expect(eleventh.status).toBe(429);
    expect(Number(eleventh.headers['retry-after'])).toBeGreaterThan(0);
    const throttled = await t.sql<{ ip: string; details: { email: string } }>(
      "SELECT ip, details FROM ops.audit_events WHERE action = 'auth.sign_in_throttled'",
    );
    expect(throttled).toEqual([
      expect.objectContaining({
        ip: '127.0.0.1',
        details: expect.objectContaining({ email: 'one@ops.local' }),
      }),
    ]);
  });

  it('still lets another e-mail through from the same IP, and the same e-mail from another IP', async () => {
    expect((await signIn(a.baseUrl, 'two@ops.local', PASSWORD)).status).toBe(200);
    expect((await signIn(a.baseUrl, 'one@ops.local', PASSWORD, { localAddress: '127.0.0.2' })).status).toBe(
      200,
    );
  });

  it('is shared by two daemons on one database', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) {
      const server = i % 2 === 0 ? a : b;
      statuses.push((await signIn(server.baseUrl, 'three@ops.local', `wrong-${i}-password`)).status);
    }
    expect(statuses).toEqual(Array(10).fill(401));
    expect((await signIn(b.baseUrl, 'three@ops.local', PASSWORD)).status).toBe(429);
    expect((await signIn(a.baseUrl, 'three@ops.local', PASSWORD)).status).toBe(429);
  });

  it('admits exactly ten of many concurrent attempts', async () => {
    const results = await Promise.all(
      Array.from({ length: 16 }, (_, i) =>
        signIn(i % 2 === 0 ? a.baseUrl : b.baseUrl, 'four@ops.local', `wrong-${i}-password`),
      ),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 401)).toHaveLength(10);
    expect(statuses.filter((s) => s === 429)).toHaveLength(6);
  });

  it('lets the key in again once its attempts are a minute old', async () => {
    await t.sql(
      `UPDATE ops.login_attempts SET attempted_at = ARRAY(SELECT x - interval '61 seconds' FROM unnest(attempted_at) x)
        WHERE email = 'one@ops.local' AND ip = '127.0.0.1'`,
    );
    expect((await signIn(a.baseUrl, 'one@ops.local', PASSWORD)).status).toBe(200);
  });
});

describe('LoginThrottle', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(() => t.drop());

  it('slides: an attempt leaves the count when it is older than the window', async () => {
    const throttle = new LoginThrottle(t.db.pool, { limit: 3, windowSeconds: 60 });
    for (let i = 1; i <= 3; i++)
      expect(await throttle.attempt('10.0.0.1', 'x@y.z')).toMatchObject({ allowed: true, attempts: i });
    expect(await throttle.attempt('10.0.0.1', 'X@Y.Z ')).toMatchObject({ allowed: false, attempts: 3 });
    // Age only the oldest attempt past the window: one slot frees up, not three.
    await t.sql(
      `UPDATE ops.login_attempts SET attempted_at[1] = attempted_at[1] - interval '61 seconds' WHERE email = 'x@y.z'`,
    );
    expect(await throttle.attempt('10.0.0.1', 'x@y.z')).toMatchObject({ allowed: true, attempts: 3 });
    expect(await throttle.attempt('10.0.0.1', 'x@y.z')).toMatchObject({ allowed: false });
    const [row] = await t.sql<{ n: number }>(
      `SELECT cardinality(attempted_at) AS n FROM ops.login_attempts WHERE email = 'x@y.z'`,
    );
    expect(row?.n).toBe(3);
  });

  it('deletes idle keys opportunistically', async () => {
    const throttle = new LoginThrottle(t.db.pool, { retentionSeconds: 600 });
    await t.sql(
      `INSERT INTO ops.login_attempts (ip, email, attempted_at, allowed, last_at)
       VALUES ('10.0.0.9', 'old@y.z', ARRAY[now() - interval '1 hour'], true, now() - interval '1 hour')`,
    );
    await throttle.attempt('10.0.0.2', 'new@y.z');
    const rows = await t.sql<{ email: string }>('SELECT email FROM ops.login_attempts ORDER BY email');
    expect(rows.map((r) => r.email)).not.toContain('old@y.z');
    expect(rows.map((r) => r.email)).toContain('new@y.z');
  });
});
