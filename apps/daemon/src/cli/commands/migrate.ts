import { loadConfig } from '../../config.ts';
import { migrate } from '../../db/migrator.ts';
import { openOps } from '../../ops.ts';
import { parse } from '../args.ts';
import type { Command } from '../command.ts';
import { createOutput } from '../output.ts';

const usage = 'migrate [--json]';

export const migrateCommand: Command = {
  usage,
  summary: 'applies pending migrations and exits',
  async run(argv) {
    const { values } = parse(argv, {}, usage);
    const out = createOutput(Boolean(values.json));
    const ops = await openOps(loadConfig(), { migrate: false });
    try {
      const applied = await migrate(ops.db.sequelize);
      out.result(
        { applied },
        applied.length ? `applied ${applied.join(', ')}` : 'nothing to migrate: up to date',
      );
      return 0;
    } finally {
      await ops.close();
    }
  },
};
