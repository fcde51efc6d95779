import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../apps/daemon/src/config.ts';
import { runCli } from '../support/cli.ts';
import { definition, writePlugin } from './plugin-fixtures.ts';

/**
 * One documented way to register plugin folders (issue 13): `plugins add` writes
 * OPS_DATA_DIR/plugins.json, which loadConfig reads for serve and every command, beside OPS_PLUGINS.
 */
describe('ops-daemon plugins add / remove / list', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-plugins-register-'));
  fs.chmodSync(root, 0o755);
  const dataDir = path.join(root, 'data');
  const env = { OPS_DATA_DIR: dataDir, OPS_PLUGINS: '' };
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  it('registers a folder every command then loads, once, and unregisters it', async () => {
    const plugin = writePlugin(root, 'things', definition(''));
    const added = await runCli(['plugins', 'add', plugin, '--json'], env);
    expect(added.code, added.stderr).toBe(0);
    expect(added.json()).toMatchObject({ ok: true, folder: plugin, added: true });
    expect((await runCli(['plugins', 'add', plugin, '--json'], env)).json()).toMatchObject({ added: false });

    expect(loadConfig(env).extraPlugins).toEqual([plugin]);
    // OPS_PLUGINS and the registered folders add up, each folder once.
    const other = path.join(root, 'other');
    expect(loadConfig({ ...env, OPS_PLUGINS: `${other},${plugin}` }).extraPlugins).toEqual([other, plugin]);
    const listed = await runCli(['plugins', 'list', '--json'], env);
    expect(listed.json<{ sources: string[]; registered: string[] }>()).toMatchObject({
      registered: [plugin],
    });
    expect(listed.json<{ sources: string[] }>().sources).toContain(plugin);
    // Another command with the same data folder sees its runbook.
    const catalog = await runCli(['plugins', 'check', plugin, '--json'], env);
    expect(catalog.json()).toMatchObject({ ok: true, id: 'acme.things.fix' });

    const removed = await runCli(['plugins', 'remove', plugin, '--json'], env);
    expect(removed.json()).toMatchObject({ removed: true });
    expect(loadConfig(env).extraPlugins).toEqual([]);
  });

  it('refuses a folder without package.json, naming it and the rule', async () => {
    const empty = path.join(root, 'empty');
    fs.mkdirSync(empty);
    const refused = await runCli(['plugins', 'add', empty], env);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`${empty} has no package.json: give the folder of a plugin package`);
  });

  it('names the file when the registry file is broken, instead of a JSON parser error', () => {
    const broken = path.join(root, 'broken-data');
    fs.mkdirSync(broken);
    fs.writeFileSync(path.join(broken, 'plugins.json'), '{ not json');
    expect(() => loadConfig({ OPS_DATA_DIR: broken })).toThrow(
      `${path.join(broken, 'plugins.json')} is not JSON; fix or remove it (ops-daemon plugins add rewrites it)`,
    );
  });

  it('plugins check says what it checked: the definition, not the run contract', async () => {
    // Valid as a definition, but its run would write the platform tenant: only its tests can tell.
    const plugin = writePlugin(
      root,
      'writes-platform',
      definition(
        "id: 'acme.platform.writer', run: async (ctx) => { await ctx.db.query(\"UPDATE findings SET title = 'x'\"); return {}; },",
      ),
    );
    const checked = await runCli(['plugins', 'check', plugin], env);
    expect(checked.code).toBe(0);
    expect(checked.stdout).not.toContain("keeps the contract's rules");
    expect(checked.stdout).toContain(
      `✓ acme.platform.writer 1.0.0 (${plugin}) loads: its definition is valid. Its runs are checked by the run contract in its own test: npm test in ${plugin}`,
    );
  });
});
