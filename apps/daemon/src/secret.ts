import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** OPS_SECRET, or one generated on first start and kept in the data folder (mode 600). */
export function sessionSecret(configured: string | undefined, dataDir: string): string {
  if (configured) return configured;
  const file = path.join(dataDir, 'secret');
  if (!fs.existsSync(file)) {
    fs.mkdirSync(dataDir, { recursive: true });
    fs.writeFileSync(file, randomBytes(32).toString('base64url'), { mode: 0o600 });
  }
  return fs.readFileSync(file, 'utf8').trim();
}
