/**
 * A daemon that only lends its workers: it helps every run other processes own until it is killed.
 * Tests start it as a process of its own (`node --import tsx test/support/assist-runs.ts`) with
 * DATABASE_URL and OPS_* in the environment, and kill it mid-chunk.
 */
import { loadConfig } from '../../apps/daemon/src/config.ts';
import { openOps } from '../../apps/daemon/src/ops.ts';

const ops = await openOps(loadConfig(), { log: (m) => process.stderr.write(`${m}\n`) });
process.stdout.write('ready\n');
for (;;) {
  await ops.service.assistRuns();
  await new Promise((resolve) => setTimeout(resolve, 100));
}
