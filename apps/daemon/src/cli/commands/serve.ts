import { loadConfig } from '../../config.ts';
import { startDaemon } from '../../daemon.ts';
import { lineLog, processLogger } from '../../observability/index.ts';
import { intOption, parse } from '../args.ts';
import type { Command } from '../command.ts';
import { usageOf } from '../command-table.ts';

const usage = usageOf('serve');

export const serveCommand: Command = {
  async run(argv) {
    const { values } = parse(
      argv,
      { host: { type: 'string' }, port: { type: 'string' }, demo: { type: 'boolean' } },
      usage,
    );
    const loaded = loadConfig();
    // Diagnostics: JSON lines on stderr (readable on a terminal); stdout keeps the start-up text.
    const logger = processLogger(loaded, 'info');
    const log = lineLog(logger);
    // The demo runs on one machine, where a webhook receiver to try alerts with listens on
    // localhost: its alert destinations may use private addresses unless the variable says otherwise.
    const config =
      values.demo && loaded.alertPrivateHosts === undefined
        ? { ...loaded, alertPrivateHosts: 'all' as const }
        : loaded;
    const daemon = await startDaemon(config, {
      host: values.host ?? config.host,
      port: intOption(values.port, 'port', config.port, 0, 65535),
      demo: values.demo,
      logger,
    });
    process.stdout.write(`Ops Runbooks is serving the console at ${daemon.url}/system\n`);
    if (daemon.demoAccounts.length) {
      process.stdout.write(`Sign in with one of these (password: ${config.demoPassword}):\n`);
      for (const a of daemon.demoAccounts) {
        process.stdout.write(
          `  ${a.email.padEnd(28)} ${a.plane.padEnd(9)} ${a.capabilities.join(', ') || '(none)'}\n`,
        );
      }
    }
    return new Promise<number>((resolve) => {
      let stopping = false;
      const stop = (signal: string) => {
        // Kept listening: a second signal (npm forwarding the one our process group already got, a
        // second Ctrl-C) must not kill us before the embedded PostgreSQL has stopped.
        if (stopping) return log(`${signal}: already shutting down`);
        stopping = true;
        log(`${signal}: shutting down; running runs stop after their chunk and stay paused`);
        daemon.stop().then(
          () => resolve(0),
          (error) => {
            log(`shutdown: ${(error as Error).message}`);
            resolve(1);
          },
        );
      };
      process.on('SIGTERM', () => stop('SIGTERM'));
      process.on('SIGINT', () => stop('SIGINT'));
    });
  },
};
