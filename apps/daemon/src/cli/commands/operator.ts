import { PLANES, type Plane } from '../../identity/capabilities.ts';
import { parse, requirePositional } from '../args.ts';
import type { Command } from '../command.ts';
import { usageOf } from '../command-table.ts';
import { UsageError } from '../exit-codes.ts';
import { createOutput } from '../output.ts';
import { withIdentity } from './with-identity.ts';
import { withOps } from './with-ops.ts';

const usage = usageOf('operator');

export const operatorCommand: Command = {
  async run(argv) {
    const { values, positionals } = parse(
      argv,
      {
        email: { type: 'string' },
        password: { type: 'string' },
        capability: { type: 'string', multiple: true },
        name: { type: 'string' },
        plane: { type: 'string' },
      },
      usage,
    );
    const out = createOutput(Boolean(values.json));
    const sub = requirePositional(positionals, 0, 'add', usage);
    if (sub !== 'add')
      throw new UsageError('add', `unknown operator subcommand ${JSON.stringify(sub)}\nusage: ${usage}`);
    if (!values.email) throw new UsageError('--email', `--email is required\nusage: ${usage}`);
    if (!values.password) throw new UsageError('--password', `--password is required\nusage: ${usage}`);
    const plane = (values.plane ?? 'platform') as Plane;
    if (!PLANES.includes(plane))
      throw new UsageError('--plane', `--plane must be one of ${PLANES.join(', ')}`);
    return withOps(async (ops) => {
      const result = await withIdentity(ops, (identity) =>
        identity.upsertAccount({
          email: values.email!,
          password: values.password!,
          name: values.name,
          plane,
          capabilities: values.capability ?? [],
        }),
      );
      out.result(
        { ...result, email: values.email, plane, capabilities: values.capability ?? [] },
        `${result.created ? 'created' : 'updated'} ${plane} account ${values.email} (${(values.capability ?? []).join(', ') || 'no capabilities'})`,
      );
      return 0;
    });
  },
};
