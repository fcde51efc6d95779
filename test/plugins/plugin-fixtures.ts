import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('../..', import.meta.url));

/** Makes a folder resolve the repository's packages, as an installed plugin would. */
export function linkModules(dir: string): void {
  fs.symlinkSync(path.join(REPO, 'node_modules'), path.join(dir, 'node_modules'));
}

/** Writes a plugin package whose entry is `body`; `definition(...)` below gives a valid one to vary. */
export function writePlugin(root: string, name: string, body: string): string {
  const dir = path.join(root, name);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(
    path.join(dir, 'package.json'),
    JSON.stringify({ name, type: 'module', exports: { '.': './index.ts' } }),
  );
  fs.writeFileSync(path.join(dir, 'index.ts'), body);
  linkModules(dir);
  return dir;
}

export function definition(overrides: string): string {
  return `import { defineRunbook } from '@ops/runbook-sdk';
const def = {
  id: 'acme.things.fix', version: '1.0.0', title: 'Fix things', description: 'Fixes things', sdk: '^2.0.0',
  capability: 'platform.runbooks.acme_things', scopes: ['all', 'tenant'], confirmationPhrase: 'FIX',
  preflight: async () => ({ affected_count: 0 }), run: async () => ({}),
  ${overrides}
};
export default def;
void defineRunbook;
`;
}
