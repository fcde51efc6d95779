import { PLATFORM_TENANT_EXTERNAL_ID, type ResolvedScope } from '@ops/runbook-sdk';

/**
 * One row per applied CSV row: the file (its sha256), the row, the run and the row's note — what was
 * closed and why. A file's row is applied once: a run of the same file after an interrupted one (a
 * killed process) skips the rows the interrupted run committed, so every row is applied exactly once
 * across both. Unqualified, so under the daemon it lands in the runbook's own schema.
 */
export const JOURNAL_TABLE = 'findings_closed_from_list';

export const CREATE_JOURNAL_SQL = `
  CREATE TABLE IF NOT EXISTS ${JOURNAL_TABLE} (
    file_sha256 text NOT NULL,
    row_number  integer NOT NULL,
    run_id      bigint NOT NULL,
    finding_id  bigint NOT NULL,
    tenant_id   bigint NOT NULL,
    note        text,
    closed_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (file_sha256, row_number)
  )`;

/** A parameter list that numbers its own placeholders. */
export class Params {
  readonly values: unknown[] = [];
  add(value: unknown, cast: string): string {
    this.values.push(value);
    return `$${this.values.length}::${cast}`;
  }
}

/**
 * Findings (alias f, tenants t) this run may touch: never the platform tenant's, and only the scope's
 * tenant for a tenant run. A listed id outside this is "not found" for the run.
 */
export function inScope(scope: ResolvedScope, p: Params): string {
  const notPlatform = `t.external_id <> ${p.add(PLATFORM_TENANT_EXTERNAL_ID, 'text')}`;
  return scope.kind === 'all'
    ? notPlatform
    : `${notPlatform} AND f.tenant_id = ${p.add(scope.tenantId, 'bigint')}`;
}

export const FINDINGS = 'public.findings f JOIN public.tenants t ON t.id = f.tenant_id';

/** The state this runbook writes; a finding already in it is left alone. */
export const CLOSED = 'closed';
