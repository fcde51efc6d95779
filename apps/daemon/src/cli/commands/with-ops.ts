import { loadConfig } from '../../config.ts';
import { processLogger } from '../../observability/index.ts';
import { type Ops, openOps } from '../../ops.ts';

/** Opens the database (migrating it) and loads the plugins (unless told not to), runs `fn`, and always closes it again. */
export async function withOps<T>(
  fn: (ops: Ops) => Promise<T>,
  options: { migrate?: boolean; plugins?: boolean } = {},
): Promise<T> {
  const config = loadConfig();
  const ops = await openOps(config, {
    // Diagnostics on stderr (stdout is the command's result), warnings and worse unless asked.
    logger: processLogger(config, 'warn'),
    migrate: options.migrate ?? true,
    plugins: options.plugins ?? true,
  });
  try {
    return await fn(ops);
  } finally {
    await ops.close();
  }
}
