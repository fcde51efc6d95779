import { ensureWebBuild, WEB_OUT_DIR } from './web-build.ts';

// `npm start`: a fresh clone has no console build yet; make one (a few seconds) before the daemon
// starts. A failed build never stops the daemon: it then serves a page saying how to build it.
const started = Date.now();
const result = ensureWebBuild();
if (result === 'built') {
  process.stdout.write(`console: built ${WEB_OUT_DIR} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
} else if (result === 'failed') {
  process.stderr.write('console: the web build failed (see above); the daemon starts without the console\n');
}
