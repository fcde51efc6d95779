import os from 'node:os';
import lifecycle from '@ops/findings-lifecycle-backfill';
import pg from 'pg';
import { ensureJournal } from '../../apps/daemon/src/runs/revert/index.ts';
import { openBenchCluster } from './cluster.ts';
import { floorStatement, measureExec, measureFloor, RUNBOOK, runDaemonCommand } from './measurements.ts';
import { parseBenchOptions } from './options.ts';

const log = (line: string) => process.stderr.write(`${line}\n`);
const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

function spread(values: number[]): { min: number; median: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b);
  return { min: sorted[0]!, median: sorted[Math.floor((sorted.length - 1) / 2)]!, max: sorted.at(-1)! };
}

async function lastRunId(url: string): Promise<{ id: string; journalRows: number; journalMb: number }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ id: string; n: string; mb: string }>(
      `SELECT r.id::text AS id, (SELECT count(*) FROM ops.run_journal j WHERE j.run_id = r.id) AS n,
              pg_total_relation_size('ops.run_journal') / 1048576.0 AS mb
         FROM ops.runs r ORDER BY r.id DESC LIMIT 1`,
    );
    return { id: rows[0]!.id, journalRows: Number(rows[0]!.n), journalMb: Number(rows[0]!.mb) };
  } finally {
    await client.end();
  }
}

/** The floor statement journaled: in a transaction whose ops.run_id is a run of the runbook. */
async function measureJournaledFloor(url: string): Promise<number> {
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  try {
    await ensureJournal(pool, { runbooks: new Map([[RUNBOOK, lifecycle]]) }, log);
    const { rows } = await pool.query<{ id: string }>(
      `INSERT INTO ops.runs (type, runbook_version, scope, scope_kind, status, outcome, actor, actor_label)
       VALUES ($1, '1.0.0', '{"kind":"all"}', 'all', 'running', 'pending', '{"kind":"system"}', 'bench')
       RETURNING id::text`,
      [RUNBOOK],
    );
    const client = await pool.connect();
    try {
      const { text, values } = floorStatement();
      const started = performance.now();
      await client.query('BEGIN');
      await client.query("SELECT set_config('ops.run_id', $1, true)", [rows[0]!.id]);
      await client.query(text, values);
      await client.query('COMMIT');
      return performance.now() - started;
    } finally {
      client.release();
    }
  } finally {
    await pool.end();
  }
}

/**
 * Bench only: on this copy, CREATE TRIGGER of the journal is refused (an event trigger, as a table
 * the daemon's user does not own would), so exec runs unjournaled and records that. No trigger, no
 * transition tables: the run's cost without any of the journal.
 */
async function refuseJournalTrigger(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`CREATE FUNCTION public.bench_refuse_journal() RETURNS event_trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF current_query() ILIKE '%ops_journal%' THEN RAISE EXCEPTION 'bench: journal switched off'; END IF;
      END $$`);
    await client.query(`CREATE EVENT TRIGGER bench_refuse_journal ON ddl_command_start
      WHEN TAG IN ('CREATE TRIGGER') EXECUTE FUNCTION public.bench_refuse_journal()`);
  } finally {
    await client.end();
  }
}

/** `ops-daemon revert <run>` through the real CLI; its wall time and the rows it restored. */
async function measureRevert(url: string, runId: string): Promise<{ wallMs: number; restored: number }> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('OPS_')));
  const { code, stdout, stderr, wallMs, last } = await runDaemonCommand(
    [
      'revert',
      runId,
      '--reason-code',
      'DATA_REPAIR',
      '--reason-text',
      'bench',
      '--confirm',
      'REVERT',
      '--json',
    ],
    url,
    env,
  );
  if (code !== 0 || last.outcome !== 'succeeded')
    throw new Error(`revert failed (exit ${code}): ${stdout.slice(-2000)}\n${stderr.slice(-2000)}`);
  return { wallMs, restored: last.summary?.updated_count ?? 0 };
}

async function main(): Promise<void> {
  const options = parseBenchOptions(process.argv.slice(2));
  const tenants = options.tenants[0]!;
  const cluster = await openBenchCluster(options.dataDir, log);
  const floor: number[] = [];
  const exec: number[] = [];
  const execRun: number[] = [];
  const ratio: number[] = [];
  const revert: number[] = [];
  const journaledFloor: number[] = [];
  const unjournaled: number[] = [];
  const loads: number[] = [];
  let journal = { rows: 0, mb: 0, updated: 0 };
  try {
    const template = await cluster.template({
      drift: options.drift,
      seed: options.seed,
      findings: options.findings,
      tenants,
    });
    for (let run = 1; run <= options.runs; run++) {
      loads.push(os.loadavg()[0]!);
      const floorDb = `bench_journal_${run}_floor`;
      const floorUrl = await cluster.copy(template, floorDb);
      let floorMs: number;
      try {
        floorMs = (await measureFloor(floorUrl, null)).ms;
      } finally {
        await cluster.drop(floorDb);
      }
      const journaledDb = `bench_journal_${run}_floor_journaled`;
      const journaledUrl = await cluster.copy(template, journaledDb);
      try {
        journaledFloor.push(await measureJournaledFloor(journaledUrl));
        log(`run ${run}: floor with journal ${s(journaledFloor.at(-1)!)}`);
      } finally {
        await cluster.drop(journaledDb);
      }
      const plainDb = `bench_journal_${run}_exec_unjournaled`;
      const plainUrl = await cluster.copy(template, plainDb);
      try {
        await refuseJournalTrigger(plainUrl);
        const plain = await measureExec(plainUrl);
        const plainRun = await lastRunId(plainUrl);
        if (plainRun.journalRows > 0) throw new Error('exec without journal wrote journal rows');
        unjournaled.push(plain.wallMs);
        log(
          `run ${run}: exec without journal ${s(plain.wallMs)} (run ${s(plain.runMs)}, ${plain.updated} rows)`,
        );
      } finally {
        await cluster.drop(plainDb);
      }
      const execDb = `bench_journal_${run}_exec`;
      const execUrl = await cluster.copy(template, execDb);
      try {
        const sample = await measureExec(execUrl);
        const last = await lastRunId(execUrl);
        journal = { rows: last.journalRows, mb: last.journalMb, updated: sample.updated };
        const reverted = await measureRevert(execUrl, last.id);
        floor.push(floorMs);
        exec.push(sample.wallMs);
        execRun.push(sample.runMs);
        ratio.push(sample.wallMs / floorMs);
        revert.push(reverted.wallMs);
        log(
          `run ${run}: floor ${s(floorMs)}; exec with journal ${s(sample.wallMs)} (run ${s(sample.runMs)}, ${sample.updated} rows, journal ${last.journalRows} rows, ${last.journalMb.toFixed(0)} MB) = ${(sample.wallMs / floorMs).toFixed(2)}× floor; revert ${s(reverted.wallMs)} (${reverted.restored} rows)`,
        );
      } finally {
        await cluster.drop(execDb);
      }
    }
    loads.push(os.loadavg()[0]!);
  } finally {
    await cluster.stop();
  }
  const row = (name: string, values: number[], unit: (v: number) => string) => {
    const { min, median, max } = spread(values);
    return `| ${name} | ${unit(min)} | ${unit(median)} | ${unit(max)} |`;
  };
  const sec = (v: number) => `${(v / 1000).toFixed(1)} s`;
  const times = (v: number) => `${v.toFixed(2)}×`;
  process.stdout.write(
    [
      `### Reversible runs: journal cost at ${options.findings.toLocaleString('en-US')} findings, ${tenants} tenants (${options.runs} runs)`,
      '',
      `Rows written per run: ${journal.updated.toLocaleString('en-US')}; journal rows ${journal.rows.toLocaleString('en-US')} (${journal.mb.toFixed(0)} MB). Load average (1 min) ${loads.map((l) => l.toFixed(1)).join(' → ')} on ${os.cpus().length} cores.`,
      '',
      '| Figure | min | median | max |',
      '| --- | --- | --- | --- |',
      row('floor (one UPDATE, default settings)', floor, sec),
      row('exec with journal (wall)', exec, sec),
      row('exec with journal (run)', execRun, sec),
      row('exec with journal ÷ floor (per run)', ratio, times),
      row('exec without journal (wall, bench switch)', unjournaled, sec),
      row(
        'exec with journal ÷ exec without (per run)',
        exec.map((e, i) => e / unjournaled[i]!),
        times,
      ),
      row(
        'exec without journal ÷ floor (per run)',
        unjournaled.map((u, i) => u / floor[i]!),
        times,
      ),
      row('revert (wall)', revert, sec),
      row('floor with journal (the same statement, journaled)', journaledFloor, sec),
      row(
        'floor with journal ÷ floor (per run)',
        journaledFloor.map((j, i) => j / floor[i]!),
        times,
      ),
      '',
    ].join('\n'),
  );
}

await main();
