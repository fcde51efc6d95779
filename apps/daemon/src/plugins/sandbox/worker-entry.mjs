// A plugin's worker thread starts here: plain JavaScript, since a worker cannot start from
// TypeScript. When the daemon runs from its compiled build (bin/ops-daemon.mjs), so does this
// worker: its own code (worker-main) from that build, and the plugin compiled into its cache
// (scripts/build-cli.mjs, compiledPlugin), with no tsx at all, which saves about half a second per
// worker. Otherwise, or when the plugin does not compile, tsx compiles the plugin and worker-main.ts
// as the daemon's own entry does (and reports a plugin's syntax error in its words).
import { workerData } from 'node:worker_threads';

async function startCompiled() {
  if (!workerData.compiledWorker) return false;
  try {
    const { compiledPlugin } = await import('../../../scripts/build-cli.mjs');
    workerData.compiledEntry = await compiledPlugin(workerData.entry);
  } catch {
    return false;
  }
  await import(workerData.compiledWorker);
  return true;
}

if (!(await startCompiled())) {
  const { register } = await import('tsx/esm/api');
  register();
  await import('./worker-main.ts');
}
