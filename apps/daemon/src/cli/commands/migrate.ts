import { loadConfig } from '../../config.ts';
import { migrate } from '../../db/migrator.ts';
import { openOps } from '../../ops.ts';
import { canCreateRoles, ensurePluginRoles, pluginRolesSql } from '../../plugins/containment/index.ts';
import { journalSetupSql } from '../../runs/revert/index.ts';
import { parse } from '../args.ts';
import type { Command } from '../command.ts';
import { usageOf } from '../command-table.ts';
import { createOutput } from '../output.ts';

const usage = usageOf('migrate');

export const migrateCommand: Command = {
  async run(argv) {
    const { values } = parse(argv, { 'print-sql': { type: 'boolean' } }, usage);
    const out = createOutput(Boolean(values.json));
    const ops = await openOps(loadConfig(), { migrate: false });
    try {
      const {
        rows: [who],
      } = await ops.db.pool.query<{ user: string }>('SELECT current_user AS user');
      if (values['print-sql']) {
        // Only the SQL on stdout, so it can be piped to psql or handed to a DBA as is.
        process.stdout.write(pluginRolesSql(ops.registry.runbooks.values(), who!.user));
        // Where the daemon's user does not own a table a reversible runbook declares: its journal.
        process.stdout.write(await journalSetupSql(ops.db.pool, ops.registry, who!.user));
        return 0;
      }
      const applied = await migrate(ops.db.sequelize);
      const roles = await ensurePluginRoles(ops.db.pool, ops.registry, () => {});
      const creator = await canCreateRoles(ops.db.pool);
      const lines = [applied.length ? `applied ${applied.join(', ')}` : 'nothing to migrate: up to date'];
      if (!creator) {
        lines.push(
          `the database user ${who!.user} may not create roles: plugin statements run under restricted roles ` +
            '(ops_plugin, ops_rb_<runbook>); have a DBA run the SQL of `ops-daemon migrate --print-sql` once, ' +
            'and again when plugins change the tables they declare',
        );
      }
      for (const m of roles.missing) lines.push(m.reason);
      out.result(
        {
          applied,
          pluginRoles: { canCreateRoles: creator, ready: roles.ready, missing: roles.missing },
        },
        lines.join('\n'),
      );
      return 0;
    } finally {
      await ops.close();
    }
  },
};
