#!/usr/bin/env node
// Starts the command line from its compiled build (apps/daemon/dist/cli, made by `npm install` or
// here) when that build matches the sources, so a command starts in a fraction of a second. When a
// source changed since, it rebuilds first (about half a second); when the build cannot be made (a
// source that does not compile, esbuild missing), it runs the TypeScript sources through tsx as
// before, which reports any error in its own words. OPS_CLI_FROM_SOURCE=1 always runs the sources.
// OPS_PLUGIN_ISOLATION=off (a benchmark switch) runs plugins on this thread, which needs tsx: sources.
import path from 'node:path';
import { pathToFileURL } from 'node:url';

async function compiledEntry() {
  if (process.env.OPS_CLI_FROM_SOURCE === '1' || process.env.OPS_PLUGIN_ISOLATION === 'off') return null;
  const build = await import('../scripts/build-cli.mjs');
  let manifest = build.readManifest();
  if (!build.isCurrent(manifest)) {
    try {
      manifest = await build.buildCli();
    } catch {
      return null;
    }
  }
  return path.join(build.BUILD_ROOT, manifest.id);
}

const compiled = await compiledEntry();
if (compiled) {
  // Plugin workers start from the same build (src/plugins/sandbox/plugin-worker.ts).
  globalThis[Symbol.for('ops-daemon.compiled-worker')] = pathToFileURL(
    path.join(compiled, 'worker-main.mjs'),
  ).href;
  await import(pathToFileURL(path.join(compiled, 'main.mjs')).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli/main.ts');
}
