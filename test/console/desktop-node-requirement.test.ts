import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ELECTRON_FETCH_MIN_NODE,
  electronFetchRefusal,
  nodeAtLeast,
} from '../../apps/desktop/scripts/node-requirement.mjs';
import { DESKTOP_DIR } from '../../apps/desktop/scripts/web-build.ts';

const require = createRequire(path.join(DESKTOP_DIR, 'package.json'));

function electronInstalled(): boolean {
  try {
    require('electron');
    return true;
  } catch {
    return false;
  }
}

const canFetch = nodeAtLeast(process.versions.node, ELECTRON_FETCH_MIN_NODE);
const refusalSkip = canFetch
  ? `this Node (${process.versions.node}) can fetch Electron, so there is no refusal to see`
  : electronInstalled()
    ? 'the Electron binary is already installed here, so nothing needs fetching'
    : null;
if (refusalSkip) process.stderr.write(`\n*** desktop Node refusal test skipped: ${refusalSkip} ***\n\n`);

describe('which Node the desktop app needs', () => {
  it('compares Node versions by number, not as text', () => {
    expect(nodeAtLeast('20.20.2', '22.12.0')).toBe(false);
    expect(nodeAtLeast('22.11.9', '22.12.0')).toBe(false);
    expect(nodeAtLeast('v22.12.0', '22.12.0')).toBe(true);
    expect(nodeAtLeast('24.1.0', '22.12.0')).toBe(true);
    expect(nodeAtLeast('100.0.0', '22.12.0')).toBe(true);
  });

  it.runIf(refusalSkip === null)(
    'npm run desktop on a Node that cannot fetch Electron says what to install, without a stack trace',
    () => {
      const result = spawnSync(process.execPath, [path.join(DESKTOP_DIR, 'scripts/ensure-electron.mjs')], {
        encoding: 'utf8',
      });
      expect(result.status).toBe(1);
      expect(result.stderr.trim()).toBe(electronFetchRefusal(process.versions.node));
      expect(result.stderr).not.toMatch(/\n\s+at /);
    },
  );
});
