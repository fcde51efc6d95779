import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestDatabase } from '../support/database.ts';

export const CSV_RUNBOOK = 'findings.ids.close';

/** Tenants platform, acme and globex with `perTenant` open findings each; returns their ids by tenant. */
export async function seedListedFindings(
  t: TestDatabase,
  perTenant: number,
): Promise<{ platform: string[]; acme: string[]; globex: string[]; tenantIds: Record<string, number> }> {
  await t.sql(
    "INSERT INTO tenants (external_id, name) VALUES ('platform', 'Platform'), ('acme', 'Acme'), ('globex', 'Globex')",
  );
  await t.sql(
    `INSERT INTO findings (tenant_id, fingerprint, title, severity, status, created_at, updated_at)
     SELECT t.id, 'fp-' || g, 'Finding ' || g, 'high', 'open', now(), now()
       FROM tenants t CROSS JOIN generate_series(1, $1::int) g ORDER BY g, t.id`,
    [perTenant],
  );
  const rows = await t.sql<{ external_id: string; id: string; tenant_id: string }>(
    'SELECT t.external_id, f.id::text AS id, t.id::text AS tenant_id FROM findings f JOIN tenants t ON t.id = f.tenant_id ORDER BY f.id',
  );
  const of = (tenant: string) => rows.filter((r) => r.external_id === tenant).map((r) => r.id);
  const tenantIds = Object.fromEntries(rows.map((r) => [r.external_id, Number(r.tenant_id)]));
  return { platform: of('platform'), acme: of('acme'), globex: of('globex'), tenantIds };
}

/** A CSV of finding ids (with a note that needs quoting), CRLF line ends and a BOM, as spreadsheets save it. */
export function csvOf(ids: readonly string[]): string {
  const lines = ['finding_id,note', ...ids.map((id, i) => `${id},"INC-42, row ${i + 1} ""closed"""`)];
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

export function writeTempFile(name: string, text: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ops-csv-'));
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
}

export const sha256Of = (text: string) =>
  createHash('sha256').update(Buffer.from(text, 'utf8')).digest('hex');

/** The runbook's journal (in its own schema): one row per applied CSV row. */
export async function journal(
  t: TestDatabase,
): Promise<{ row_number: number; run_id: string; finding_id: string }[]> {
  const [table] = await t.sql<{ schema: string }>(
    "SELECT table_schema AS schema FROM information_schema.tables WHERE table_name = 'findings_closed_from_list'",
  );
  if (!table) return [];
  return t.sql(
    `SELECT row_number, run_id::text AS run_id, finding_id::text AS finding_id
       FROM "${table.schema}".findings_closed_from_list ORDER BY row_number`,
  );
}
