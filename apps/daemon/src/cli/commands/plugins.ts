import fs from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../config.ts';
import { InputError } from '../../errors.ts';
import {
  addRegisteredPlugin,
  loadPlugins,
  pluginSources,
  readRegisteredPlugins,
  registeredPluginsFile,
  removeRegisteredPlugin,
  scaffoldPlugin,
} from '../../plugins/index.ts';
import { parse, requirePositional } from '../args.ts';
import type { Command } from '../command.ts';
import { usageOf } from '../command-table.ts';
import { EXIT, UsageError } from '../exit-codes.ts';
import { createOutput, type Output } from '../output.ts';

const usage = usageOf('plugins');
const SUBCOMMANDS = 'check|new|add|remove|list';

/** Loads `source` after the daemon's other plugins, as at start, and says what the daemon would. */
async function check(out: Output, source: string): Promise<number> {
  const config = loadConfig();
  // Loaded after the daemon's own plugins, so a duplicate id is reported as it would be at start.
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
  // Only the definition is checked here: how its runs behave (idempotence, narrowing, the platform
  // tenant, resuming) is the run contract, which its own test checks on a database (npm test).
  out.result(
    { ok: true, source, id: def.id, version: def.version, checked: 'definition' },
    `✓ ${def.id} ${def.version} (${source}) loads: its definition is valid. Its runs are checked by the run contract in its own test: npm test in ${source}`,
  );
  return EXIT.ok;
}

function register(out: Output, sub: 'add' | 'remove', folder: string): number {
  const { dataDir } = loadConfig();
  const target = path.resolve(folder);
  if (sub === 'add') {
    if (!fs.existsSync(path.join(target, 'package.json'))) {
      throw new InputError('<folder>', `${target} has no package.json: give the folder of a plugin package`);
    }
    const added = addRegisteredPlugin(dataDir, target);
    out.result(
      { ok: true, folder: target, added, file: registeredPluginsFile(dataDir) },
      `${added ? 'registered' : 'already registered'}: ${target} (in ${registeredPluginsFile(dataDir)}); serve and every command with OPS_DATA_DIR=${dataDir} load it`,
    );
    return EXIT.ok;
  }
  const removed = removeRegisteredPlugin(dataDir, target);
  out.result(
    { ok: true, folder: target, removed, file: registeredPluginsFile(dataDir) },
    removed ? `unregistered: ${target}` : `${target} was not registered (${registeredPluginsFile(dataDir)})`,
  );
  return EXIT.ok;
}

export const pluginsCommand: Command = {
  async run(argv) {
    const { values, positionals } = parse(argv, { id: { type: 'string' } }, usage);
    const out = createOutput(Boolean(values.json));
    const sub = requirePositional(positionals, 0, SUBCOMMANDS, usage);
    if (sub === 'check') return check(out, path.resolve(requirePositional(positionals, 1, '<path>', usage)));
    if (sub === 'add' || sub === 'remove') {
      return register(out, sub, requirePositional(positionals, 1, '<folder>', usage));
    }
    if (sub === 'list') {
      const config = loadConfig();
      const registered = readRegisteredPlugins(config.dataDir);
      const sources = pluginSources(config.extraPlugins);
      out.result(
        { sources, registered, file: registeredPluginsFile(config.dataDir) },
        sources.map((s) => `${s}${registered.includes(s) ? ' (registered)' : ''}`).join('\n'),
      );
      return EXIT.ok;
    }
    if (sub === 'new') {
      const dir = requirePositional(positionals, 1, '<dir>', usage);
      if (!values.id) throw new InputError('--id', `--id is required\nusage: ${usage}`);
      const made = scaffoldPlugin(dir, values.id);
      out.result(
        { id: values.id, ...made },
        [
          ...(made.packed ? [`built the SDK tarball ${made.packed}`] : []),
          `wrote ${made.files.length} files to ${made.dir} (@ops/runbook-sdk: ${made.sdk}):`,
          ...made.files.map((f) => `  ${f}`),
          'next:',
          ...made.next.map((c) => `  ${c}`),
        ].join('\n'),
      );
      return EXIT.ok;
    }
    throw new UsageError(SUBCOMMANDS, `unknown plugins subcommand ${JSON.stringify(sub)}\nusage: ${usage}`);
  },
};
