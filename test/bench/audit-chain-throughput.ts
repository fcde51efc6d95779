// Audit write throughput with two concurrent writers (two pools, as two daemons would have), each
// keeping IN_FLIGHT audit writes going through AuditLog.record: what the chain's head lock costs.
// Run: node --import tsx test/bench/audit-chain-throughput.ts [events per writer, default 2000] [in flight, default 4]
// Each run is measured twice on the same server, with the chain trigger and without it (dropped
// for that pass, as before migration 013), alternating, so machine load hits both alike.
import { AuditLog } from '../../apps/daemon/src/audit/index.ts';
import { openDatabase } from '../../apps/daemon/src/db/connection.ts';
import { migrate } from '../../apps/daemon/src/db/migrator.ts';
import { startOwnPostgres } from '../support/own-postgres.ts';

const PER_WRITER = Number(process.argv[2] ?? 2000);
const IN_FLIGHT = Number(process.argv[3] ?? 4);
const RUNS = 3;

async function writer(log: AuditLog, events: number): Promise<number> {
  let next = 0;
  let failed = 0;
  const loop = async () => {
    while (next < events) {
      next += 1;
      const written = await log.record({
        action: 'runbook.preflight',
        actorLabel: 'bench@ops.local',
        runbookId: 'findings.lifecycle.backfill',
        scope: { kind: 'all' },
        details: { n: next, note: 'throughput' },
      });
      if (!written.ok) failed += 1;
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, loop));
  return failed;
}

const server = await startOwnPostgres();
try {
  const url = server.url;
  const setup = await openDatabase(url);
  await migrate(setup.sequelize);
  // The "off" passes write events without chain columns, as before migration 013.
  await setup.pool.query(
    'ALTER TABLE ops.audit_events ALTER COLUMN seq DROP NOT NULL, ALTER COLUMN prev_hash DROP NOT NULL, ALTER COLUMN hash DROP NOT NULL',
  );
  const rates: Record<'on' | 'off', number[]> = { on: [], off: [] };
  for (let run = 0; run < RUNS; run += 1) {
    for (const chain of ['on', 'off'] as const) {
      await setup.pool.query(
        `ALTER TABLE ops.audit_events ${chain === 'on' ? 'ENABLE ALWAYS' : 'DISABLE'} TRIGGER zz_audit_events_chain`,
      );
      const [a, b] = [await openDatabase(url), await openDatabase(url)];
      const started = performance.now();
      const failures = await Promise.all([
        writer(new AuditLog(a.pool), PER_WRITER),
        writer(new AuditLog(b.pool), PER_WRITER),
      ]);
      const seconds = (performance.now() - started) / 1000;
      rates[chain].push((2 * PER_WRITER) / seconds);
      process.stdout.write(
        `run ${run + 1}, chain ${chain}: ${2 * PER_WRITER} events in ${seconds.toFixed(2)} s (${Math.round(rates[chain].at(-1)!)} events/s), ${failures[0]! + failures[1]!} failed\n`,
      );
      await Promise.all([a.close(), b.close()]);
    }
  }
  for (const chain of ['off', 'on'] as const) {
    const sorted = [...rates[chain]].sort((x, y) => x - y);
    process.stdout.write(
      `audit writes/s, 2 writers × ${IN_FLIGHT} in flight, chain ${chain}: ` +
        `min ${Math.round(sorted[0]!)}, median ${Math.round(sorted[1]!)}, max ${Math.round(sorted[2]!)}\n`,
    );
  }
  await setup.close();
} finally {
  await server.remove();
}
