import type { TestDatabase } from './database.ts';

export const HISTORY_RUNBOOKS = ['findings.lifecycle.backfill', 'findings.events.dedupe'] as const;
export const HISTORY_ACTORS = ['operator@ops.local', 'system:cli', 'responder@ops.local'] as const;

/**
 * Records `count` finished runs as a deploy history would leave them, in one statement. Their start
 * times are shuffled against their ids (run i started (i·7 mod count) hours after the first), so a
 * list sorted by Started differs from one sorted by id: the earliest started run is the last id.
 * Returns the ids in order of their start time, earliest first.
 */
export async function recordRunHistory(t: TestDatabase, count: number): Promise<string[]> {
  const rows = await t.sql<{ id: string; started_at: Date }>(
    `INSERT INTO ops.runs (type, runbook_version, scope, scope_kind, status, outcome, actor, actor_label,
                           summary, created_at, started_at, finished_at, updated_at)
     SELECT ($2::text[])[1 + i % 2], '1.0.0', '{"kind":"all"}', 'all', 'completed', 'succeeded',
            CASE WHEN i % 3 = 1 THEN jsonb_build_object('kind', 'system', 'label', 'system:cli')
                 ELSE jsonb_build_object('kind', 'user', 'id', 'u' || i, 'email', ($3::text[])[1 + i % 3]) END,
            ($3::text[])[1 + i % 3],
            jsonb_build_object('updated_count', i * 10, 'duration_ms', 1000 * i),
            s.at, s.at, s.at + interval '1 second' * i, s.at + interval '1 second' * i
       FROM generate_series(1, $1::int) AS i,
            LATERAL (SELECT timestamptz '2026-01-01T00:00:00Z' + interval '1 hour' * ((i * 7) % $1::int) AS at) s
      ORDER BY i
     RETURNING id, started_at`,
    [count, HISTORY_RUNBOOKS, HISTORY_ACTORS],
  );
  return [...rows].sort((a, b) => a.started_at.getTime() - b.started_at.getTime()).map((r) => String(r.id));
}
