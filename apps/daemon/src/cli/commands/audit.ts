import { once } from 'node:events';
import fs from 'node:fs';
import type { Writable } from 'node:stream';
import { parse, requirePositional } from '../args.ts';
import type { Command } from '../command.ts';
import { usageOf } from '../command-table.ts';
import { EXIT, UsageError } from '../exit-codes.ts';
import { createOutput, formatCount } from '../output.ts';
import { withOps } from './with-ops.ts';

const usage = usageOf('audit');

/** Writes one line, waiting when the stream asks to (a large export must not fill memory). */
async function writeLine(stream: Writable, line: string): Promise<void> {
  if (!stream.write(`${line}\n`)) await once(stream, 'drain');
}

export const auditCommand: Command = {
  async run(argv) {
    const { values, positionals } = parse(argv, { out: { type: 'string' } }, usage);
    const out = createOutput(Boolean(values.json));
    const sub = requirePositional(positionals, 0, 'verify|export', usage);
    if (sub !== 'verify' && sub !== 'export') {
      throw new UsageError(
        'verify|export',
        `unknown audit subcommand ${JSON.stringify(sub)}\nusage: ${usage}`,
      );
    }
    if (sub === 'verify' && values.out !== undefined) {
      throw new UsageError('--out', `--out belongs to audit export\nusage: ${usageOf('audit verify')}`);
    }
    return withOps(
      async (ops) => {
        if (sub === 'verify') {
          const result = await ops.audit.verifyChain();
          if (result.ok) {
            out.result(
              result,
              `verified ${formatCount(result.checked)} events through #${formatCount(Number(result.through.seq))}`,
            );
            return EXIT.ok;
          }
          const b = result.broken!;
          const event = b.id ? `event #${b.seq} (id ${b.id})` : `event #${b.seq}`;
          out.result(
            result,
            `audit chain broken at ${event}: ${b.kind === 'content' ? 'content' : 'link'}: ${b.reason}` +
              ` (${formatCount(result.checked)} events before it verified)`,
          );
          return EXIT.runFailed;
        }
        const file = values.out ? fs.createWriteStream(values.out, { flags: 'wx' }) : process.stdout;
        if (values.out) await once(file, 'open');
        let count = 0;
        const head = await ops.audit.eachChainRecord(async (record) => {
          await writeLine(file, JSON.stringify(record));
          count += 1;
          return true;
        });
        if (values.out) {
          (file as fs.WriteStream).end();
          await once(file, 'close');
          out.info(
            `exported ${formatCount(count)} events through #${formatCount(Number(head.seq))} to ${values.out}`,
          );
        }
        return EXIT.ok;
      },
      { plugins: false },
    );
  },
};
