import { DestinationStore } from '../../alerts/destination-store.ts';
import {
  configuredSecretKey,
  deriveSecretKey,
  SecretBox,
  SecretUnreadableError,
} from '../../alerts/secret-box.ts';
import { InputError } from '../../errors.ts';
import { parse, requirePositional } from '../args.ts';
import type { Command } from '../command.ts';
import { usageOf } from '../command-table.ts';
import { UsageError } from '../exit-codes.ts';
import { createOutput } from '../output.ts';
import { cliActor } from './preflight.ts';
import { withOps } from './with-ops.ts';

const usage = usageOf('secrets');

/**
 * The old key comes from an environment variable named on the command line, never from the
 * command line itself (which other users see in `ps` and the shell keeps in its history).
 */
function oldKeyFrom(variable: string | undefined): SecretBox {
  if (!variable) throw new UsageError('--from-env', `missing --from-env <VAR>\nusage: ${usage}`);
  const material = process.env[variable];
  if (!material) {
    throw new InputError('--from-env', `environment variable ${variable} is not set: put the old key in it`);
  }
  if (material.length < 32) {
    throw new InputError(
      '--from-env',
      `environment variable ${variable}: the old key has at least 32 characters`,
    );
  }
  return new SecretBox(deriveSecretKey(material));
}

export const secretsCommand: Command = {
  async run(argv) {
    const { values, positionals } = parse(argv, { 'from-env': { type: 'string' } }, usage);
    const out = createOutput(Boolean(values.json));
    const sub = requirePositional(positionals, 0, 'status|rotate', usage);
    if (sub !== 'status' && sub !== 'rotate') {
      throw new UsageError(
        'status|rotate',
        `unknown secrets subcommand ${JSON.stringify(sub)}\nusage: ${usage}`,
      );
    }
    const from = sub === 'rotate' ? oldKeyFrom(values['from-env']) : null;
    return withOps(async (ops) => {
      const box = new SecretBox(configuredSecretKey(ops.config));
      const store = new DestinationStore(ops.db.pool, box);
      if (!from) {
        const status = await store.sealingStatus();
        const keys = Object.entries(status.byKey).map(
          ([id, n]) => `  key ${id}${id === status.keyId ? ' (current)' : ''}: ${n}`,
        );
        out.result(
          status,
          [
            `current key: ${status.keyId}`,
            ...keys,
            `  plain text (sealed at the next daemon start): ${status.plain}`,
          ].join('\n'),
        );
        return 0;
      }
      if (from.current.id === box.current.id) {
        throw new InputError(
          '--from-env',
          `the old key is the current key (${box.current.id}): set OPS_ALERT_SECRET_KEY (or OPS_SECRET) to the new key, and ${values['from-env']} to the old one`,
        );
      }
      let result: Awaited<ReturnType<DestinationStore['rotate']>>;
      try {
        result = await store.rotate(from);
      } catch (error) {
        if (error instanceof SecretUnreadableError) {
          throw new InputError('--from-env', `${error.message}; nothing was changed`);
        }
        throw error;
      }
      const actor = cliActor();
      await ops.audit.record({
        action: 'alert.secrets_rotated',
        actorLabel: 'system:cli',
        actor,
        details: { fromKey: from.current.id, ...result },
      });
      out.result(
        result,
        `re-sealed ${result.resealed} secret(s) from key ${from.current.id} to key ${result.keyId}` +
          ` (${result.alreadyCurrent} already on it, ${result.sealedPlain} were plain text); restart the daemons with the new key`,
      );
      return 0;
    });
  },
};
