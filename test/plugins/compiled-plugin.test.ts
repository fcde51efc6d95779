import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
// @ts-expect-error: plain JavaScript (it runs before anything is compiled), no type declarations
import { compiledPlugin } from '../../apps/daemon/scripts/build-cli.mjs';
import { definition, writePlugin } from './plugin-fixtures.ts';

const compile = compiledPlugin as (entry: string) => Promise<string>;

// A compiled daemon's plugin workers import plugins compiled into the plugin's own cache; a plugin
// edited since must never run from a stale copy.
describe('compiled plugins (the compiled CLI’s plugin workers)', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-compiled-plugin-'));
  fs.chmodSync(root, 0o755);
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  it('compiles once, reuses the build while the sources stand, and rebuilds when one changes', async () => {
    const dir = writePlugin(root, 'acme-compiled', definition(''));
    const entry = path.join(dir, 'index.ts');
    // Written a minute ago: a file changed while a build runs is taken as changed again (rebuilt).
    const aMinuteAgo = new Date(Date.now() - 60_000);
    fs.utimesSync(entry, aMinuteAgo, aMinuteAgo);
    const first = await compile(entry);
    expect(await compile(entry)).toBe(first);
    const loaded = (await import(first)) as { default: { id: string } };
    expect(loaded.default.id).toBe('acme.things.fix');

    fs.writeFileSync(path.join(dir, 'helper.ts'), "export const TITLE = 'Fix things, edited';\n");
    fs.writeFileSync(
      entry,
      `import { TITLE } from './helper.ts';\n${definition('').replace(/title: '[^']*'/, 'title: TITLE')}`,
    );
    fs.utimesSync(entry, aMinuteAgo, aMinuteAgo);
    fs.utimesSync(path.join(dir, 'helper.ts'), aMinuteAgo, aMinuteAgo);
    fs.utimesSync(entry, new Date(), new Date(Date.now() - 30_000)); // edited: a newer mtime
    const second = await compile(entry);
    expect(await compile(entry)).toBe(second);
    expect(second).not.toBe(first);
    expect(((await import(second)) as { default: { title: string } }).default.title).toBe(
      'Fix things, edited',
    );

    // An imported file is watched as well as the entry.
    fs.writeFileSync(path.join(dir, 'helper.ts'), "export const TITLE = 'Fix things, again';\n");
    const third = await compile(entry);
    expect(third).not.toBe(second);
    expect(((await import(third)) as { default: { title: string } }).default.title).toBe('Fix things, again');
  });

  it('throws for a plugin that does not compile (the worker then loads it through tsx)', async () => {
    const dir = writePlugin(root, 'acme-broken', 'export default {{{');
    await expect(compile(path.join(dir, 'index.ts'))).rejects.toThrow();
  });
});
