import { loadConfig } from '../config.ts';
import type { Command } from './command.ts';
import { EXIT, UsageError } from './exit-codes.ts';
import { createOutput, reportError } from './output.ts';

// Loaded on demand: `exec` in a deploy pipeline should not pay for the console's server, auth and
// API (about 0.7 s of start-up and 70 MB of memory).
const COMMANDS: Record<string, () => Promise<Command>> = {
  serve: async () => (await import('./commands/serve.ts')).serveCommand,
  migrate: async () => (await import('./commands/migrate.ts')).migrateCommand,
  seed: async () => (await import('./commands/seed.ts')).seedCommand,
  runbooks: async () => (await import('./commands/runbooks.ts')).runbooksCommand,
  preflight: async () => (await import('./commands/preflight.ts')).preflightCommand,
  exec: async () => (await import('./commands/exec.ts')).execCommand,
  runs: async () => (await import('./commands/runs.ts')).runsCommand,
  operator: async () => (await import('./commands/operator.ts')).operatorCommand,
  plugins: async () => (await import('./commands/plugins.ts')).pluginsCommand,
  secrets: async () => (await import('./commands/secrets.ts')).secretsCommand,
};

async function help(): Promise<string> {
  const commands = await Promise.all(Object.values(COMMANDS).map((load) => load()));
  const lines = commands.map((c) => `  ops-daemon ${c.usage}\n      ${c.summary}`);
  return `ops-daemon: safe, audited data repair runbooks\n\nCommands:\n${lines.join('\n')}\n\nExit codes: 0 ok (also nothing to do), 1 run failed, 2 bad input, 3 lock held, 4 partially succeeded, 5 database unreachable`;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  const json = rest.includes('--json');
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    process.stdout.write(`${await help()}\n`);
    return name === undefined ? EXIT.badInput : EXIT.ok;
  }
  const load = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  try {
    loadConfig(); // a bad environment variable stops every command with its name
    if (!load)
      throw new UsageError('command', `unknown command ${JSON.stringify(name)}; try ops-daemon help`);
    return await (await load()).run(rest);
  } catch (error) {
    return reportError(createOutput(json), error);
  }
}

const code = await main(process.argv.slice(2));
// Exit explicitly: pools and timers must not keep a finished command alive.
process.exit(code);
