import { seedDemoData, validateSeedOptions } from '../../seed/index.ts';
import { parse } from '../args.ts';
import type { Command } from '../command.ts';
import { createOutput, formatCount } from '../output.ts';
import { withIdentity } from './with-identity.ts';
import { withOps } from './with-ops.ts';

const usage = 'seed [--tenants 50] [--findings 20000] [--drift 0.3] [--seed 1] [--json]';

export const seedCommand: Command = {
  usage,
  summary: 'demo data per findings-lifecycle.md (deterministic for a --seed)',
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
          `seeded ${formatCount(result.tenants)} tenants, ${formatCount(result.findings)} findings, ${formatCount(result.events)} events (${formatCount(result.drifted)} drifted) in ${(result.durationMs / 1000).toFixed(1)} s`,
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
