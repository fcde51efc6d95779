import { ensureWebBuild, WEB_OUT_DIR } from '../../../apps/desktop/scripts/web-build.ts';

/**
 * Vitest global setup: the browser tests load the console that `ops-daemon serve` serves from
 * apps/desktop/out/web, so build it once per run (only when a source is newer than the build).
 */
export default function setup(): void {
  const started = Date.now();
  const result = ensureWebBuild('pipe');
  if (result === 'failed')
    throw new Error(`the web console did not build into ${WEB_OUT_DIR}; run npm run build:console`);
  if (result === 'built') process.stdout.write(`console: web build ready in ${Date.now() - started} ms\n`);
}
