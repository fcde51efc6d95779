import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPlugins, pluginSources } from './loader.ts';

const SDK = path.resolve(import.meta.dirname, '../../../../packages/runbook-sdk/src/index.ts');

function plugin(dir: string, name: string, body: string) {
  const root = path.join(dir, name);
  fs.mkdirSync(root, { recursive: true });
  fs.writeFileSync(
    path.join(root, 'package.json'),
    JSON.stringify({ name, type: 'module', exports: { '.': './index.ts' } }),
  );
  fs.writeFileSync(path.join(root, 'index.ts'), body.replaceAll('SDK', JSON.stringify(SDK)));
  return root;
}

const definition = (id: string, extra = '') => `
import { defineRunbook } from SDK;
export default {
  id: '${id}', version: '1.0.0', title: 'T', description: 'D', sdk: '^2.0.0',
  capability: 'platform.runbooks.t', scopes: ['all'], confirmationPhrase: 'GO',
  preflight: async () => ({ affected_count: 0 }), run: async () => ({}), ${extra}
};
void defineRunbook;
`;

describe('loadPlugins', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-plugins-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('loads the repository plugins: the findings lifecycle backfill is available', async () => {
    const registry = await loadPlugins(pluginSources([]));
    expect([...registry.runbooks.keys()]).toContain('findings.lifecycle.backfill');
    expect(registry.unavailable).toEqual([]);
  });

  it('refuses broken plugins with the reason and keeps the good ones', async () => {
    const sources = [
      plugin(dir, 'good', definition('good.one')),
      plugin(dir, 'dup', definition('good.one')),
      plugin(dir, 'old-sdk', definition('old.sdk', "sdk: '^0.9.0',")),
      plugin(dir, 'throws', "throw new Error('boom at import');"),
    ];
    const registry = await loadPlugins(sources);
    expect([...registry.runbooks.keys()]).toEqual(['good.one']);
    expect(registry.unavailable).toEqual([
      {
        source: sources[1],
        id: 'good.one',
        reason: `duplicate runbook id good.one: ${sources[1]} declares the id already loaded from ${sources[0]}; a runbook id must be unique across plugin folders`,
      },
      {
        source: sources[2],
        id: 'old.sdk',
        reason:
          'sdk range "^0.9.0" does not accept this SDK (2.0.0); the range must include it, e.g. "^2.0.0"',
      },
      { source: sources[3], id: null, reason: 'failed to load: boom at import' },
    ]);
  });
});
