import path from 'node:path';
import { loadConfig } from '../../config.ts';
import { InputError } from '../../errors.ts';
import { loadPlugins, pluginSources, scaffoldPlugin } from '../../plugins/index.ts';
import { parse, requirePositional } from '../args.ts';
import type { Command } from '../command.ts';
import { usageOf } from '../command-table.ts';
import { EXIT, UsageError } from '../exit-codes.ts';
import { createOutput } from '../output.ts';

const usage = usageOf('plugins');

export const pluginsCommand: Command = {
  async run(argv) {
    const { values, positionals } = parse(argv, { id: { type: 'string' } }, usage);
    const out = createOutput(Boolean(values.json));
    const sub = requirePositional(positionals, 0, 'check|new', usage);
    if (sub === 'check') {
      const source = path.resolve(requirePositional(positionals, 1, '<path>', usage));
      // Loaded after the daemon's own plugins, so a duplicate id is reported as it would be at start.
      const config = loadConfig();
      const others = pluginSources(config.extraPlugins).filter((s) => path.resolve(s) !== source);
      const registry = await loadPlugins([...others, source], config.plugins);
      await registry.close?.();
      const refused = registry.unavailable.find((u) => u.source === source);
      if (refused) {
        out.result(
          { ok: false, source, id: refused.id, reason: refused.reason },
          `✗ ${source}: ${refused.reason}`,
        );
        return EXIT.badInput;
      }
      const def = [...registry.runbooks.values()].at(-1)!;
      out.result(
        { ok: true, source, id: def.id, version: def.version },
        `✓ ${def.id} ${def.version} (${source}) keeps the contract's rules`,
      );
      return EXIT.ok;
    }
    if (sub === 'new') {
      const dir = requirePositional(positionals, 1, '<dir>', usage);
      if (!values.id) throw new InputError('--id', `--id is required\nusage: ${usage}`);
      const files = scaffoldPlugin(dir, values.id);
      out.result(
        { dir: path.resolve(dir), id: values.id, files },
        `wrote ${files.length} files to ${path.resolve(dir)}:\n${files.map((f) => `  ${f}`).join('\n')}\nnext: npm install, then npm test in that folder`,
      );
      return EXIT.ok;
    }
    throw new UsageError('check|new', `unknown plugins subcommand ${JSON.stringify(sub)}\nusage: ${usage}`);
  },
};
