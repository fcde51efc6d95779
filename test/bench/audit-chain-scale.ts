// The audit chain at scale: migration 013 chaining an existing trail, the console's bounded look,
// and a full verify. Run: node --import tsx test/bench/audit-chain-scale.ts [events, default 200000]
import { auditChainStatus, verifyAuditChain } from '../../apps/daemon/src/audit/index.ts';
import { openDatabase } from '../../apps/daemon/src/db/connection.ts';
import * as m013 from '../../apps/daemon/src/db/migrations/013_audit_hash_chain.ts';
import { migrate } from '../../apps/daemon/src/db/migrator.ts';
import { startOwnPostgres } from '../support/own-postgres.ts';

const EVENTS = Number(process.argv[2] ?? 200_000);

async function timed<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const started = performance.now();
  const value = await fn();
  return [performance.now() - started, value];
}

const stats = (ms: number[]) => {
  const s = [...ms].sort((a, b) => a - b);
  return `min ${Math.round(s[0]!)} ms, median ${Math.round(s[Math.floor(s.length / 2)]!)} ms, max ${Math.round(s.at(-1)!)} ms`;
};

const server = await startOwnPostgres();
try {
  const db = await openDatabase(server.url);
  await migrate(db.sequelize);
  // The trail as it stood before migration 013, with EVENTS events in it.
  const sql = async (text: string) => {
    await db.pool.query(text);
  };
  await m013.down({ context: sql });
  await sql(`INSERT INTO ops.audit_events (action, actor_label, runbook_id, scope, details)
    SELECT 'runbook.preflight', 'operator@ops.local', 'findings.lifecycle.backfill', '{"kind": "all"}',
           jsonb_build_object('affected', g, 'scanned', g * 3)
      FROM generate_series(1, ${EVENTS}) g`);
  const [migrateMs] = await timed(async () => {
    await sql('BEGIN');
    await m013.up({ context: sql });
    await sql('COMMIT');
  });
  process.stdout.write(
    `migration 013 chained ${EVENTS} existing events in ${(migrateMs / 1000).toFixed(1)} s\n`,
  );
  const looks: number[] = [];
  for (let i = 0; i < 5; i += 1) looks.push((await timed(() => auditChainStatus(db.pool)))[0]);
  const last = await auditChainStatus(db.pool);
  process.stdout.write(
    `console look (≤ 5,000 new + 5,000 swept events): ${stats(looks)} over 5 looks; verified through #${last.verifiedThrough} of ${last.headSeq}\n`,
  );
  const verifies: number[] = [];
  for (let i = 0; i < 3; i += 1) {
    const [ms, result] = await timed(() => verifyAuditChain(db.pool));
    if (!result.ok) throw new Error(`chain broken: ${result.broken?.reason}`);
    verifies.push(ms);
  }
  process.stdout.write(`full verify of ${EVENTS} events: ${stats(verifies)} over 3 runs\n`);
  await db.close();
} finally {
  await server.remove();
}
