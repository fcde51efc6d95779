import {
  containsPattern,
  type KeysetTable,
  type PageRequest,
  type SortDirection,
} from '../db/keyset-page.ts';
import type { RunStatus } from './state-machine.ts';

/** A number kept in a jsonb document, or NULL when it holds something else. */
const jsonNumber = (doc: string, key: string) =>
  `(CASE WHEN jsonb_typeof(${doc}->'${key}') = 'number' THEN (${doc}->>'${key}')::numeric END)`;

/**
 * The columns the runs list sorts by, as the console's table shows them; each is a never-NULL SQL
 * expression (a missing value sorts first ascending, as an empty cell would).
 */
export const RUN_SORT_KEYS = {
  id: (t: string) => `${t}.id`,
  runbook: (t: string) => `${t}.type`,
  status: (t: string) => `${t}.status`,
  outcome: (t: string) => `${t}.outcome`,
  actor: (t: string) => `${t}.actor_label`,
  started: (t: string) => `COALESCE(${t}.started_at, ${t}.created_at)`,
  // Finished runs keep their duration; a running one counts until now (so it moves between pages).
  duration: (t: string) =>
    `COALESCE(${jsonNumber(`${t}.summary`, 'duration_ms')},
              EXTRACT(EPOCH FROM COALESCE(${t}.finished_at, now()) - ${t}.started_at) * 1000, -1)`,
  // Where the console reads "updated": the final summary, else live progress, else the context.
  updated: (t: string) =>
    `COALESCE(${jsonNumber(`${t}.summary`, 'updated_count')}, ${jsonNumber(`${t}.progress`, 'updated')},
              ${jsonNumber(`${t}.context`, 'updated_count')}, -1)`,
} as const;
export type RunSortKey = keyof typeof RUN_SORT_KEYS;
export const RUN_SORT_KEY_NAMES = Object.keys(RUN_SORT_KEYS) as RunSortKey[];

export interface RunListFilter extends Partial<Pick<PageRequest, 'cursor' | 'before'>> {
  runbookId?: string | undefined;
  status?: RunStatus | undefined;
  /** Part of the actor's label (e-mail or system:cli), any case. */
  actor?: string | undefined;
  limit: number;
  /** Default: newest first (id descending). */
  sort?: RunSortKey | undefined;
  direction?: SortDirection | undefined;
}

/** The keyset spec of ops.runs for a filter. */
export function runListSpec(filter: RunListFilter): KeysetTable {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (condition: (param: string) => string, value: unknown) => {
    params.push(value);
    where.push(condition(`$${params.length}`));
  };
  if (filter.runbookId) add((p) => `t.type = ${p}`, filter.runbookId);
  if (filter.status) add((p) => `t.status = ${p}`, filter.status);
  if (filter.actor?.trim()) add((p) => `t.actor_label ILIKE ${p}`, containsPattern(filter.actor.trim()));
  return { table: 'ops.runs', noun: 'run', sortKey: RUN_SORT_KEYS[filter.sort ?? 'id'], where, params };
}
