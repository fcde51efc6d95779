import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { _electron } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { DESKTOP_DIR } from '../../apps/desktop/scripts/web-build.ts';
import { startTestDaemon, type TestDaemon } from '../support/daemon.ts';
import { screenshot } from './support/browser.ts';

const require = createRequire(path.join(DESKTOP_DIR, 'package.json'));

/** Electron's binary, or why the launch test cannot run here. */
function electronBinary(): { path: string } | { reason: string } {
  try {
    const binary = require('electron') as string;
    if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
      return { reason: 'no display for Electron here (run under xvfb-run to include this test)' };
    }
    return { path: binary };
  } catch (error) {
    return {
      reason: `Electron's binary is not installed here (${(error as Error).message.split('\n')[0]}); \`npm run desktop\` downloads it once`,
    };
  }
}

const electron = electronBinary();
const skipReason = 'reason' in electron ? electron.reason : null;
if (skipReason) process.stderr.write(`\n*** desktop launch test skipped: ${skipReason} ***\n\n`);

// The desktop shell end to end: electron-vite build, Electron starts, asks for the daemon on first
// start, then shows the same console, signed in through the app's own session.
describe('the desktop app (Electron)', () => {
  let d: TestDaemon | undefined;
  afterAll(() => d?.stop());

  it.runIf(skipReason === null)(
    'starts, asks for the daemon on first start, and signs in to the console',
    async () => {
      const build = spawnSync(
        process.execPath,
        [require.resolve('electron-vite/bin/electron-vite.js'), 'build'],
        {
          cwd: DESKTOP_DIR,
          encoding: 'utf8',
        },
      );
      expect(build.status, build.stderr).toBe(0);
      d = await startTestDaemon({ tenants: 3, findings: 300 });
      const userData = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-desktop-e2e-'));
      const app = await _electron.launch({
        executablePath: (electron as { path: string }).path,
        args: [path.join(DESKTOP_DIR, 'out/main/index.js'), '--no-sandbox'],
        env: { ...process.env, OPS_DESKTOP_USER_DATA: userData },
      });
      try {
        const window = await app.firstWindow();
        await window.getByRole('heading', { name: 'Connect to your ops daemon' }).waitFor();
        expect(await window.evaluate('typeof window.require')).toBe('undefined'); // no Node in the renderer
        await window.getByLabel('Daemon address').fill(d.url);
        await window.getByRole('button', { name: 'Connect' }).click();
        await window.getByRole('heading', { name: 'Sign in' }).waitFor();
        await screenshot(window, 'desktop-sign-in');
        await window.getByLabel('E-mail').fill('operator@ops.local');
        await window.getByLabel('Password').fill('ops-demo-password');
        await window.getByRole('button', { name: 'Sign in' }).click();
        await window.getByRole('heading', { level: 1, name: 'Runbooks' }).waitFor();
        await screenshot(window, 'desktop-runbooks');
        const settings = JSON.parse(fs.readFileSync(path.join(userData, 'settings.json'), 'utf8'));
        expect(settings.daemonUrl).toBe(d.url);
      } finally {
        await app.close();
      }
    },
    120_000,
  );

  it.runIf(skipReason !== null)('cannot launch here', (ctx) => {
    ctx.skip(skipReason ?? '');
  });
});
