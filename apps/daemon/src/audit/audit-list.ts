import type pg from 'pg';
import {
  containsPattern,
  type KeysetTable,
  keysetPage,
  type Page,
  type PageRequest,
  type SortDirection,
} from '../db/keyset-page.ts';
import type { AuditAction, AuditEvent } from './audit-log.ts';

/** The columns the audit log sorts by, as never-NULL SQL expressions (a missing value sorts first). */
export const AUDIT_SORT_KEYS = {
  time: (t: string) => `${t}.occurred_at`,
  action: (t: string) => `${t}.action`,
  actor: (t: string) => `${t}.actor_label`,
  run: (t: string) => `COALESCE(${t}.run_id, 0)`,
  runbook: (t: string) => `COALESCE(${t}.runbook_id, '')`,
} as const;
export type AuditSortKey = keyof typeof AUDIT_SORT_KEYS;
export const AUDIT_SORT_KEY_NAMES = Object.keys(AUDIT_SORT_KEYS) as AuditSortKey[];

export interface AuditListFilter extends Partial<Pick<PageRequest, 'cursor' | 'before'>> {
  limit: number;
  action?: string | undefined;
  runId?: string | undefined;
  runbookId?: string | undefined;
  /** Part of the actor's label (e-mail or system:cli), any case. */
  actor?: string | undefined;
  /** Default: newest first. */
  sort?: AuditSortKey | undefined;
  direction?: SortDirection | undefined;
}

/** The keyset spec of ops.audit_events for a filter. */
export function auditListSpec(filter: AuditListFilter): KeysetTable {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (condition: (param: string) => string, value: unknown) => {
    params.push(value);
    where.push(condition(`$${params.length}`));
  };
  if (filter.action) add((p) => `t.action = ${p}`, filter.action);
  if (filter.runId) add((p) => `t.run_id = ${p}::bigint`, filter.runId);
  if (filter.runbookId) add((p) => `t.runbook_id = ${p}`, filter.runbookId);
  if (filter.actor?.trim()) add((p) => `t.actor_label ILIKE ${p}`, containsPattern(filter.actor.trim()));
  return {
    table: 'ops.audit_events',
    noun: 'audit event',
    sortKey: AUDIT_SORT_KEYS[filter.sort ?? 'time'],
    where,
    params,
  };
}

/** One page of events, filtered and sorted (newest first by default). Throws InputError (cursor). */
export async function listAuditEvents(pool: pg.Pool, filter: AuditListFilter): Promise<Page<AuditEvent>> {
  const page = await keysetPage(
    async (sql, params) => (await pool.query(sql, params)).rows,
    auditListSpec(filter),
    { ...filter, direction: filter.direction ?? 'desc' },
  );
  return { ...page, items: page.items.map(toAuditEvent) };
}

function toAuditEvent(r: Record<string, unknown>): AuditEvent {
  return {
    id: String(r.id),
    occurredAt: (r.occurred_at as Date).toISOString(),
    action: r.action as AuditAction,
    actorLabel: r.actor_label as string,
    runId: r.run_id === null ? null : String(r.run_id),
    runbookId: r.runbook_id as string | null,
    scope: r.scope,
    outcome: r.outcome as string | null,
    ip: r.ip as string | null,
    details: r.details as Record<string, unknown>,
  };
}
