import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemoData } from '../../apps/daemon/src/seed/index.ts';
import { RUNBOOK } from '../support/api-helpers.ts';
import { spawnCli, waitFor } from '../support/cli.ts';
import { callProcedure, DEMO_PASSWORD } from '../support/daemon.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

interface Served {
  child: ChildProcess;
  url: string;
  output: () => string;
}

/** `ops-daemon serve` in a process of its own; resolves once it serves. */
async function serve(env: Record<string, string>): Promise<Served> {
  const child = spawnCli(['serve', '--port', '0', '--demo'], env);
  let output = '';
  child.stdout?.on('data', (d) => {
    output += d;
  });
  child.stderr?.on('data', (d) => {
    output += d;
  });
  const url = await waitFor(
    async () => {
      if (child.exitCode !== null) throw new Error(`serve exited:\n${output}`);
      return /serving the console at (\S+)\/system/.exec(output)?.[1];
    },
    60_000,
    'ops-daemon serve to come up',
  );
  return { child, url, output: () => output };
}

async function stop(served: Served): Promise<void> {
  if (served.child.exitCode !== null) return;
  const exited = new Promise((resolve) => served.child.once('exit', resolve));
  served.child.kill('SIGTERM');
  await exited;
}

interface OccurrenceRow {
  slot_at: Date;
  claimed: boolean;
  status: string;
  reason: string | null;
  run_id: string | null;
  daemon: string;
}

describe('a schedule armed in two daemon processes on one database', () => {
  let t: TestDatabase;
  const daemons: Served[] = [];
  const dirs: string[] = [];

  beforeAll(async () => {
    t = await createTestDatabase();
    await seedDemoData(t.db.pool, { tenants: 3, findings: 1500, drift: 0.4, seed: 3 });
    for (let i = 0; i < 2; i++) {
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `ops-two-daemons-${i}-`));
      dirs.push(dataDir);
      // One after the other: the first creates the demo accounts the second then finds.
      daemons.push(
        await serve({
          DATABASE_URL: t.url,
          OPS_DATA_DIR: dataDir,
          OPS_SCHEDULE_SYNC_MS: '200',
          OPS_HEARTBEAT_MS: '200',
        }),
      );
    }
  });
  afterAll(async () => {
    await Promise.all(daemons.map(stop));
    await t.drop();
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('fires each tick in exactly one of them, starts one run, and the other records a skipped occurrence', async () => {
    const [first] = daemons;
    const signIn = await fetch(`${first!.url}/system/api/auth/sign-in/email`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: first!.url },
      body: JSON.stringify({ email: 'operator@ops.local', password: DEMO_PASSWORD }),
    });
    const cookie = signIn.headers.get('set-cookie')!.split(';')[0]!;
    const [tenant] = await t.sql<{ id: string }>("SELECT id FROM tenants WHERE external_id = 'tenant-2'");
    const created = await callProcedure(
      first!.url,
      'schedules.create',
      'mutation',
      {
        name: 'every second, twice armed',
        cron: '* * * * * *',
        runbookId: RUNBOOK,
        scope: { kind: 'tenant', tenantId: Number(tenant!.id) },
        mode: 'run',
        reasonCode: 'DATA_REPAIR',
        reasonText: 'two daemons test',
      },
      { cookie },
    );
    expect(created.status).toBe(200);
    const scheduleId = ((await created.json()) as { result: { data: { id: string } } }).result.data.id;

    // Wait for several ticks that both daemons saw: a claimed row and a skipped row each.
    const rowsOf = () =>
      t.sql<OccurrenceRow>(
        'SELECT slot_at, claimed, status, reason, run_id, daemon FROM ops.schedule_occurrences WHERE schedule_id = $1 ORDER BY slot_at, claimed DESC',
        [scheduleId],
      );
    await waitFor(
      async () => {
        const rows = await rowsOf();
        const contested = new Set(rows.filter((r) => !r.claimed).map((r) => r.slot_at.toISOString()));
        return contested.size >= 3 ? true : undefined;
      },
      30_000,
      'three ticks seen by both daemons',
    );
    await callProcedure(
      first!.url,
      'schedules.update',
      'mutation',
      { id: scheduleId, enabled: false },
      { cookie },
    );
    await new Promise((r) => setTimeout(r, 1500)); // the last fires and the other daemon's sync settle

    const rows = await rowsOf();
    const bySlot = new Map<string, OccurrenceRow[]>();
    for (const r of rows)
      bySlot.set(r.slot_at.toISOString(), [...(bySlot.get(r.slot_at.toISOString()) ?? []), r]);
    for (const [slot, slotRows] of bySlot) {
      const claimed = slotRows.filter((r) => r.claimed);
      expect(claimed, slot).toHaveLength(1);
      for (const lost of slotRows.filter((r) => !r.claimed)) {
        expect(lost.status).toBe('skipped');
        expect(lost.daemon).not.toBe(claimed[0]!.daemon);
        expect(lost.reason).toBe(`another daemon (${claimed[0]!.daemon}) fired this tick`);
      }
    }
    // Both processes took part, each under its own pid.
    const pids = new Set(rows.map((r) => Number(r.daemon.split(':').at(-2))));
    expect(pids).toEqual(new Set(daemons.map((d) => d.child.pid)));

    const claimedStatuses = rows.filter((r) => r.claimed).map((r) => r.status);
    expect(claimedStatuses.filter((s) => s === 'started')).toHaveLength(1);
    expect(claimedStatuses.every((s) => ['started', 'nothing_to_do', 'skipped'].includes(s))).toBe(true);
    const runs = await t.sql<{ id: string; actor_label: string }>(
      "SELECT id, actor_label FROM ops.runs WHERE actor_label = 'system:schedule'",
    );
    expect(runs).toHaveLength(1);
    expect(rows.find((r) => r.status === 'started')!.run_id).toBe(runs[0]!.id);
  });
});
