import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SettingsStore } from './settings-store.ts';

describe('SettingsStore', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-desktop-settings-'));
  const file = path.join(dir, 'nested', 'settings.json');
  afterEach(() => fs.rmSync(path.dirname(file), { recursive: true, force: true }));

  it('has no daemon before the first start has asked for one', () => {
    expect(new SettingsStore(file).read()).toEqual({ daemonUrl: null });
  });

  it('remembers the daemon address across instances (restarts)', () => {
    new SettingsStore(file).write({ daemonUrl: 'http://127.0.0.1:7400' });
    expect(new SettingsStore(file).read()).toEqual({ daemonUrl: 'http://127.0.0.1:7400' });
    expect(fs.readdirSync(path.dirname(file))).toEqual(['settings.json']); // no temp file left behind
  });

  it('treats a corrupt file or an address that no longer passes the checks as not set', () => {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, '{not json');
    expect(new SettingsStore(file).read().daemonUrl).toBeNull();
    fs.writeFileSync(file, JSON.stringify({ daemonUrl: 'http://ops.example.com' }));
    expect(new SettingsStore(file).read().daemonUrl).toBeNull();
  });
});
