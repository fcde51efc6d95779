import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../apps/daemon/src/config.ts';
import { type Daemon, startDaemon } from '../../apps/daemon/src/daemon.ts';
import { createLogger, lineLog } from '../../apps/daemon/src/observability/index.ts';
import { seedDemoData } from '../../apps/daemon/src/seed/index.ts';
import { waitFor } from '../support/cli.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

// Lines an operator alerts on outside runs carry a stable `event` (README, "Logs and metrics"), like
// the run lines: here the sign-in throttle of a served daemon, through its structured logger.

type Line = Record<string, unknown>;

function capture(lines: Line[]) {
  return createLogger({
    level: 'info',
    format: 'json',
    secrets: [],
    destination: (line) => lines.push(JSON.parse(line) as Line),
  });
}

describe('events of the lines an operator alerts on', { timeout: 120_000 }, () => {
  let t: TestDatabase;
  let daemon: Daemon;
  const lines: Line[] = [];

  beforeAll(async () => {
    t = await createTestDatabase();
    await seedDemoData(t.db.pool, { tenants: 1, findings: 20, drift: 0.3, seed: 1 });
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-operator-events-'));
    const config = loadConfig({ DATABASE_URL: t.url, OPS_DATA_DIR: dataDir });
    daemon = await startDaemon(config, { host: '127.0.0.1', port: 0, demo: true, logger: capture(lines) });
  });
  afterAll(async () => {
    await daemon?.stop();
    await t?.drop();
  });

  it('logs a throttled sign-in as auth.sign_in_throttled (warn, component identity, ip)', async () => {
    for (let i = 0; i < 12; i++) {
      await fetch(`${daemon.url}/system/api/auth/sign-in/email`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: daemon.url },
        body: JSON.stringify({ email: 'viewer@ops.local', password: `wrong-${i}` }),
      });
    }
    const throttled = await waitFor(
      async () => lines.find((l) => l.event === 'auth.sign_in_throttled'),
      30_000,
      'the throttled sign-in line',
    );
    expect(throttled).toMatchObject({ level: 'warn', component: 'identity', ip: '127.0.0.1' });
    expect(throttled.retry_after_seconds).toBeGreaterThan(0);
    expect(String(throttled.msg)).toContain('sign-in throttled for "viewer@ops.local"');
    expect(JSON.stringify(lines)).not.toContain('wrong-');
  });

  it("gives a module's log(message, fields) line its event and level, the rest as data", () => {
    const own: Line[] = [];
    const log = lineLog(capture(own), { component: 'sweep' });
    log('reaper: connection refused', { event: 'sweep.failed', level: 'warn', task: 'reaper' });
    log('plain line');
    expect(own[0]).toMatchObject({
      level: 'warn',
      component: 'sweep',
      event: 'sweep.failed',
      task: 'reaper',
      msg: 'reaper: connection refused',
    });
    expect(own[1]).toMatchObject({ level: 'info', component: 'sweep', msg: 'plain line' });
    expect(own[1]).not.toHaveProperty('event');
  });
});
