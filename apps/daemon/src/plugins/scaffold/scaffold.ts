import fs from 'node:fs';
import path from 'node:path';
import { InputError } from '../../errors.ts';
import { TEMPLATES } from './templates.ts';

const RUNBOOK_ID = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/;

/**
 * Writes a plugin package with a passing contract test. Throws InputError (`--id`, `<dir>`) for an
 * id that breaks the naming rule or a folder that is not empty; writes nothing then.
 */
export function scaffoldPlugin(dir: string, id: string): string[] {
  if (!RUNBOOK_ID.test(id)) {
    throw new InputError(
      '--id',
      `--id must be dotted lower-case words like "findings.severity.normalise" (got ${JSON.stringify(id)})`,
    );
  }
  const target = path.resolve(dir);
  if (fs.existsSync(target) && fs.readdirSync(target).length > 0) {
    throw new InputError('<dir>', `${target} is not empty; choose a new folder`);
  }
  const words = id.split('.');
  const values: Record<string, string> = {
    id,
    packageName: `runbook-${words.join('-').replaceAll('_', '-')}`,
    title: words.map((w) => w[0]!.toUpperCase() + w.slice(1).replaceAll('_', ' ')).join(' '),
    capability: `platform.runbooks.${words.join('_')}`,
    phrase: words.at(-1)!.toUpperCase(),
  };
  const written: string[] = [];
  for (const [file, template] of Object.entries(TEMPLATES)) {
    const out = path.join(target, file);
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(
      out,
      template.replaceAll(/\{\{(\w+)\}\}/g, (_, key: string) => values[key] ?? ''),
    );
    written.push(out);
  }
  return written;
}
