import { PLATFORM_TENANT_EXTERNAL_ID, type ResolvedScope } from '@ops/runbook-sdk';

/**
 * Where removed rows go, with the run that removed them, so nothing is lost. Unqualified: under the
 * daemon it lands in the runbook's own schema (a plugin may not touch ops.*).
 */
export const ARCHIVE_TABLE = 'finding_events_archive';

export const CREATE_ARCHIVE_SQL = `
  CREATE TABLE IF NOT EXISTS ${ARCHIVE_TABLE} (
    id          bigint PRIMARY KEY,
    finding_id  bigint NOT NULL,
    tenant_id   bigint NOT NULL,
    kind        text NOT NULL,
    observed_at timestamptz NOT NULL,
    run_id      bigint NOT NULL,
    archived_at timestamptz NOT NULL DEFAULT now()
  )`;

/** A parameter list that numbers its own placeholders. */
export class Params {
  readonly values: unknown[] = [];
  add(value: unknown, cast: string): string {
    this.values.push(value);
    return `$${this.values.length}::${cast}`;
  }
}

/** Findings (alias f, tenants t) in scope; never the platform tenant's. */
export function scopeWhere(scope: ResolvedScope, p: Params): string {
  const notPlatform = `t.external_id <> ${p.add(PLATFORM_TENANT_EXTERNAL_ID, 'text')}`;
  return scope.kind === 'all'
    ? notPlatform
    : `${notPlatform} AND f.tenant_id = ${p.add(scope.tenantId, 'bigint')}`;
}

/**
 * A duplicate is an event with the same finding, kind and observed_at as one with a lower id: the
 * lowest id of each group is kept. Matching is on the finding's own events (finding_id).
 */
export const IS_DUPLICATE = `EXISTS (
  SELECT 1 FROM public.finding_events keep
   WHERE keep.finding_id = e.finding_id AND keep.kind = e.kind
     AND keep.observed_at = e.observed_at AND keep.id < e.id)`;

export const FINDINGS_IN_SCOPE = 'public.findings f JOIN public.tenants t ON t.id = f.tenant_id';
