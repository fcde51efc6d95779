import os from 'node:os';
import { parseArgs } from 'node:util';

/** The pieces of a bench run, so a part can be measured on its own (`--parts exec,traffic`). */
export const BENCH_PARTS = ['floor', 'exec', 'traffic', 'preflight'] as const;
export type BenchPart = (typeof BENCH_PARTS)[number];

/**
 * `--pg-settings`: PostgreSQL's defaults (128 MB shared_buffers, 1 GB max_wal_size), or a server
 * sized for a large database: a quarter of the RAM for shared_buffers (at most 8 GB), and WAL room
 * for a run's writes between checkpoints. Ten million findings are 7 GB: at the defaults every
 * slice and chunk reads through the OS cache and checkpoints come every gigabyte of WAL.
 */
export const PG_SETTINGS = {
  default: {},
  tuned: {
    shared_buffers: `${Math.min(8192, Math.floor(os.totalmem() / 4 / 2 ** 20))}MB`,
    max_wal_size: '16GB',
  },
} as const satisfies Record<string, Record<string, string>>;
export type PgSettingsName = keyof typeof PG_SETTINGS;

export interface BenchOptions {
  findings: number;
  /** Data shapes: the tenants the findings are spread over, one template each. */
  tenants: number[];
  runs: number;
  parts: BenchPart[];
  seed: number;
  drift: number;
  pgSettings: PgSettingsName;
  /** Where the embedded cluster, its template databases and the results live (gitignored). */
  dataDir: string;
}

const USAGE =
  'npm run bench -- [--findings 1000000] [--tenants 200,1000] [--runs 3] [--parts floor,exec,traffic,preflight] [--seed 1] [--drift 0.3] [--pg-settings default|tuned] [--data-dir .bench-data]\n' +
  '  --findings 10000000 defaults to --tenants 200 --parts exec,preflight (seed, exec, preflight, estimate, RSS),\n' +
  '  compared with the 1,000,000-finding results of an earlier run kept in the data dir.';

/**
 * `npm run bench -- --findings 100000` passes the flags through; `npm run bench --findings=100000`
 * reaches us as npm_config_findings instead, so both spellings work.
 */
export function parseBenchOptions(argv: string[], env: NodeJS.ProcessEnv = process.env): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      findings: { type: 'string' },
      tenants: { type: 'string' },
      runs: { type: 'string' },
      parts: { type: 'string' },
      seed: { type: 'string' },
      drift: { type: 'string' },
      'pg-settings': { type: 'string' },
      'data-dir': { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const number = (name: string, raw: string | undefined, fallback: number, min: number, max: number) => {
    const value = raw === undefined ? fallback : Number(raw.replaceAll('_', ''));
    if (!Number.isFinite(value) || value < min || value > max) {
      throw new Error(`--${name} must be a number from ${min} to ${max} (got ${raw}); usage: ${USAGE}`);
    }
    return value;
  };
  const findings = Math.round(
    number('findings', values.findings ?? env.npm_config_findings, 1_000_000, 1000, 10_000_000),
  );
  const huge = findings > 1_000_000;
  const tenantsRaw = values.tenants ?? env.npm_config_tenants ?? (huge ? '200' : '200,1000');
  const tenants = tenantsRaw.split(',').map((t) => Math.round(number('tenants', t.trim(), 200, 1, 100_000)));
  const partsRaw = values.parts ?? env.npm_config_parts ?? (huge ? 'exec,preflight' : BENCH_PARTS.join(','));
  const parts = partsRaw.split(',').map((p) => p.trim());
  for (const part of parts) {
    if (!(BENCH_PARTS as readonly string[]).includes(part)) {
      throw new Error(`--parts takes ${BENCH_PARTS.join(', ')} (got ${part}); usage: ${USAGE}`);
    }
  }
  const pgSettings = values['pg-settings'] ?? env.npm_config_pg_settings ?? 'default';
  if (!Object.hasOwn(PG_SETTINGS, pgSettings)) {
    throw new Error(
      `--pg-settings takes ${Object.keys(PG_SETTINGS).join(' or ')} (got ${pgSettings}); usage: ${USAGE}`,
    );
  }
  return {
    findings,
    tenants,
    runs: Math.round(number('runs', values.runs ?? env.npm_config_runs, 3, 1, 20)),
    parts: parts as BenchPart[],
    seed: Math.round(number('seed', values.seed ?? env.npm_config_seed, 1, -1e9, 1e9)),
    drift: number('drift', values.drift ?? env.npm_config_drift, 0.3, 0.01, 1),
    pgSettings: pgSettings as PgSettingsName,
    dataDir: values['data-dir'] ?? env.npm_config_data_dir ?? '.bench-data',
  };
}
