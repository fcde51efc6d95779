import { loadConfig } from '../config.ts';
import { execCommand } from './commands/exec.ts';
import { migrateCommand } from './commands/migrate.ts';
import { operatorCommand } from './commands/operator.ts';
import { pluginsCommand } from './commands/plugins.ts';
import { preflightCommand } from './commands/preflight.ts';
import { runbooksCommand } from './commands/runbooks.ts';
import { runsCommand } from './commands/runs.ts';
import { seedCommand } from './commands/seed.ts';
import { serveCommand } from './commands/serve.ts';
import { EXIT, UsageError } from './exit-codes.ts';
import { createOutput, reportError } from './output.ts';

export interface Command {
  usage: string;
  summary: string;
  run(argv: string[]): Promise<number>;
}

const COMMANDS: Record<string, Command> = {
  serve: serveCommand,
  migrate: migrateCommand,
  seed: seedCommand,
  runbooks: runbooksCommand,
  preflight: preflightCommand,
  exec: execCommand,
  runs: runsCommand,
  operator: operatorCommand,
  plugins: pluginsCommand,
};

function help(): string {
  const lines = Object.values(COMMANDS).map((c) => `  ops-daemon ${c.usage}\n      ${c.summary}`);
  return `ops-daemon: safe, audited data repair runbooks\n\nCommands:\n${lines.join('\n')}\n\nExit codes: 0 ok (also nothing to do), 1 run failed, 2 bad input, 3 lock held, 4 partially succeeded, 5 database unreachable`;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  const json = rest.includes('--json');
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    process.stdout.write(`${help()}\n`);
    return name === undefined ? EXIT.badInput : EXIT.ok;
  }
  const command = COMMANDS[name];
  try {
    loadConfig(); // a bad environment variable stops every command with its name
    if (!command)
      throw new UsageError('command', `unknown command ${JSON.stringify(name)}; try ops-daemon help`);
    return await command.run(rest);
  } catch (error) {
    return reportError(createOutput(json), error);
  }
}

const code = await main(process.argv.slice(2));
// Exit explicitly: pools and timers must not keep a finished command alive.
process.exit(code);
