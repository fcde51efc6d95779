import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createTestDatabase, type TestDatabase } from '../../../../test/support/database.ts';
import { startTcpProxy, type TcpProxy } from '../../../../test/support/tcp-proxy.ts';
import { openHealthCheck } from './health-check.ts';

let t: TestDatabase;
let proxy: TcpProxy;

beforeAll(async () => {
  t = await createTestDatabase();
  proxy = await startTcpProxy(t.url);
});

afterAll(async () => {
  await proxy?.close();
  await t?.drop();
});

describe('openHealthCheck', () => {
  it('says the database is away while it is, and back once it is, without throwing', async () => {
    const health = openHealthCheck(proxy.url, 500);
    try {
      await expect(health.check()).resolves.toBe(true);
      proxy.refuse(); // its idle connection is cut and new ones are refused
      await expect(health.check()).resolves.toBe(false);
      await expect(health.check()).resolves.toBe(false);
      proxy.accept();
      await expect(health.check()).resolves.toBe(true);
    } finally {
      await health.close();
    }
  });

  it('gives up at its timeout when the database does not answer at all, then recovers', async () => {
    const health = openHealthCheck(proxy.url, 300);
    try {
      await expect(health.check()).resolves.toBe(true);
      proxy.stall(); // the open connection goes silent: only the query timeout can notice
      await expect(health.check()).resolves.toBe(false);
      await expect(health.check()).resolves.toBe(false); // a new connection hangs in its start-up
      proxy.accept();
      await expect(health.check()).resolves.toBe(true);
    } finally {
      await health.close();
    }
  });

  it('answers a burst of checks with one probe, on its own single connection', async () => {
    const health = openHealthCheck(t.url);
    try {
      const answers = await Promise.all(Array.from({ length: 20 }, () => health.check()));
      expect(answers.every(Boolean)).toBe(true);
      const rows = await t.sql<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_stat_activity
          WHERE application_name = 'ops-daemon-health' AND datname = current_database()`,
      );
      expect(rows[0]!.n).toBe(1);
    } finally {
      await health.close();
    }
  });
});
