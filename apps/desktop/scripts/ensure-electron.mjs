// `npm run start -w @ops/desktop`: Electron's binary is not fetched at install time (the root
// package.json's allowScripts turns electron's postinstall off, so `npm ci` works offline). Fetch it
// here, once, with electron's own install script, the first time the desktop app is started.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { ELECTRON_FETCH_MIN_NODE, electronFetchRefusal, nodeAtLeast } from './node-requirement.mjs';

const require = createRequire(import.meta.url);
try {
  require('electron');
  process.exit(0);
} catch (error) {
  if (!/failed to install correctly/.test(String(error?.message))) throw error;
}
if (!nodeAtLeast(process.versions.node, ELECTRON_FETCH_MIN_NODE)) {
  process.stderr.write(`${electronFetchRefusal(process.versions.node)}\n`);
  process.exit(1);
}
const installer = require.resolve('electron/install.js');
process.stdout.write('Electron is not downloaded yet: fetching it once with electron/install.js…\n');
const result = spawnSync(process.execPath, [installer], { cwd: path.dirname(installer), stdio: 'inherit' });
if (result.status !== 0) {
  process.stderr.write(
    'Could not download Electron. Check the network (or ELECTRON_MIRROR), then run this again.\n',
  );
}
process.exit(result.status ?? 1);
