import { asksForHelp, COMMANDS, commandHelp, overviewHelp } from './command-table.ts';

// Only the command table is imported up front: help needs nothing else, and each command loads
// what it uses (config, errors and output bring zod and the database driver along).
const EXIT_OK = 0;
const EXIT_BAD_INPUT = 2;

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  const json = rest.includes('--json');
  if (name === undefined || name === '--help' || name === '-h') {
    process.stdout.write(`${overviewHelp()}\n`);
    return name === undefined ? EXIT_BAD_INPUT : EXIT_OK;
  }
  // `help`, `help runs`, `help runs list`; `runs --help`, `runs list -h`: printed from the command
  // table, without loading the command (nor the database, nor plugins).
  const helpFor =
    name === 'help' ? rest : asksForHelp(rest) ? [name, ...rest.filter((a) => !a.startsWith('-'))] : null;
  if (helpFor) {
    if (helpFor.length === 0) {
      process.stdout.write(`${overviewHelp()}\n`);
      return EXIT_OK;
    }
    const text = commandHelp(helpFor[0]!, helpFor[1]);
    if (text) {
      process.stdout.write(`${text}\n`);
      return EXIT_OK;
    }
  }
  const entry = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  const [{ loadConfig }, { UsageError }, { createOutput, reportError }] = await Promise.all([
    import('../config.ts'),
    import('./exit-codes.ts'),
    import('./output.ts'),
  ]);
  try {
    if (!entry) {
      throw new UsageError(
        'command',
        `unknown command ${JSON.stringify(helpFor?.[0] ?? name)}; try ops-daemon help`,
      );
    }
    loadConfig(); // a bad environment variable stops every command with its name
    return await (await entry.load()).run(rest);
  } catch (error) {
    return reportError(createOutput(json), error);
  }
}

const code = await main(process.argv.slice(2));
// Exit explicitly: pools and timers must not keep a finished command alive.
process.exit(code);
