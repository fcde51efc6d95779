import { type SeedOptions, type SeedResult, seedDemoData, validateSeedOptions } from '../../seed/index.ts';
import { parse } from '../args.ts';
import type { Command } from '../command.ts';
import { usageOf } from '../command-table.ts';
import { createOutput, formatCount } from '../output.ts';
import { withIdentity } from './with-identity.ts';
import { withOps } from './with-ops.ts';

const usage = usageOf('seed');

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/**
 * What a seed did, told so that "0" is never a puzzle: a seed adds only what is missing (`npm start`
 * seeds on first start, so a seed right after it adds nothing), and a larger --tenants adds the
 * tenants after the existing ones, each with its share of --findings, while existing tenants keep theirs.
 */
export function describeSeed(result: SeedResult, options: SeedOptions): string {
  const { before } = result;
  const added = `${formatCount(result.tenants)} tenants, ${formatCount(result.findings)} findings, ${formatCount(result.events)} events (${formatCount(result.drifted)} drifted)`;
  if (before.tenants === 0) return `seeded ${added} in ${seconds(result.durationMs)}`;
  const held = `${formatCount(before.tenants)} tenants with ${formatCount(before.findings)} findings`;
  if (result.tenants === 0) {
    return (
      `the database already holds ${held} (npm start and serve --demo seed them on first start); seeded 0 more. ` +
      `seed only adds what is missing and never duplicates: tenants that exist keep their findings, and ` +
      `--tenants ${formatCount(options.tenants)} asks for no tenant beyond them. For more, pass a larger --tenants; ` +
      'for a fresh data set, use an empty database (another OPS_DATA_DIR or DATABASE_URL)'
    );
  }
  const now = `${formatCount(before.tenants + result.tenants)} tenants with ${formatCount(before.findings + result.findings)} findings`;
  return (
    `topped up: the database held ${held}; added ${added} in ${seconds(result.durationMs)}, now ${now}. ` +
    `Tenants that exist keep their findings; the new ones get their share of --findings ${formatCount(options.findings)} ` +
    `as spread over ${formatCount(options.tenants)} tenants`
  );
}

export const seedCommand: Command = {
  async run(argv) {
    const { values } = parse(
      argv,
      {
        tenants: { type: 'string' },
        findings: { type: 'string' },
        drift: { type: 'string' },
        seed: { type: 'string' },
      },
      usage,
    );
    const out = createOutput(Boolean(values.json));
    const options = validateSeedOptions({
      tenants: values.tenants,
      findings: values.findings,
      drift: values.drift,
      seed: values.seed,
    });
    return withOps(async (ops) => {
      const result = await seedDemoData(ops.db.pool, options);
      const accounts = await withIdentity(ops, (identity) =>
        identity.ensureDemoAccounts(ops.config.demoPassword),
      );
      out.result(
        { ...result, accounts },
        [
          describeSeed(result, options),
          `demo accounts (password ${ops.config.demoPassword}):`,
          ...accounts.map(
            (a) => `  ${a.email.padEnd(28)} ${a.plane.padEnd(9)} ${a.capabilities.join(', ') || '(none)'}`,
          ),
        ].join('\n'),
      );
      return 0;
    });
  },
};
