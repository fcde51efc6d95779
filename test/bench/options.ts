import { parseArgs } from 'node:util';

export interface BenchOptions {
  /** Findings of the main database (the RSS comparison also runs at a tenth of it). */
  findings: number;
  runs: number;
  seed: number;
  drift: number;
  /** Where the embedded cluster and its template databases live (gitignored). */
  dataDir: string;
}

const USAGE =
  'npm run bench -- [--findings 1000000] [--runs 3] [--seed 1] [--drift 0.3] [--data-dir .bench-data]';

/**
 * `npm run bench -- --findings 100000` passes the flags through; `npm run bench --findings=100000`
 * reaches us as npm_config_findings instead, so both spellings work.
 */
export function parseBenchOptions(argv: string[], env: NodeJS.ProcessEnv = process.env): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      findings: { type: 'string' },
      runs: { type: 'string' },
      seed: { type: 'string' },
      drift: { type: 'string' },
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
  return {
    findings: Math.round(
      number('findings', values.findings ?? env.npm_config_findings, 1_000_000, 1000, 10_000_000),
    ),
    runs: Math.round(number('runs', values.runs ?? env.npm_config_runs, 3, 1, 20)),
    seed: Math.round(number('seed', values.seed ?? env.npm_config_seed, 1, -1e9, 1e9)),
    drift: number('drift', values.drift ?? env.npm_config_drift, 0.3, 0.01, 1),
    dataDir: values['data-dir'] ?? env.npm_config_data_dir ?? '.bench-data',
  };
}
