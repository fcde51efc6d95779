import { FINDINGS_WITH_TENANT } from './selection.ts';

/**
 * The single home of the lifecycle derivation (spec: findings-lifecycle.md, "Derivation").
 * Everything is computed and compared in SQL: timestamps carry microseconds, and a round trip
 * through a JavaScript Date (milliseconds) would never converge.
 */

/** The lifecycle fields, in the order used by the row comparison and the UPDATE's SET list. */
export const LIFECYCLE_FIELDS = [
  'status',
  'first_seen_at',
  'last_seen_at',
  'times_seen',
  'resolved_at',
  'due_at',
  'lifecycle_version',
] as const;

/** The workflow vocabulary: every derived status is one of these. */
const WORKFLOW_STATUSES = `'new', 'triaged', 'in_progress', 'risk_accepted', 'resolved', 'reopened'`;

/**
 * How the events reach the derivation; both give the same result, only the plan differs.
 * - `scan-all`: aggregate every event once (seq scan + hash aggregate), then hash join to findings.
 *   For whole-table work, where walking the (finding_id, observed_at) index row by row is slower.
 * - `per-finding`: aggregate each selected finding's events through the (finding_id, observed_at)
 *   index. For one tenant or one chunk, where only a small part of the events is needed.
 */
export type EventAccess = 'scan-all' | 'per-finding';

/*
 * Per-finding facts of the events that count (kind detected or resolved; other kinds are ignored).
 * The latest event is found without an ordered aggregate: max() over [epoch, id, is_resolved]
 * orders by observed_at, then id (so a tie goes to the higher id), and its last element tells the
 * kind. Plain max() keeps the aggregate hashable (no sort); epoch as numeric is exact to the
 * microsecond and, unlike a bigint of microseconds, cannot overflow on 'infinity'.
 */
const EVENT_FACTS = `
      count(*) FILTER (WHERE e.kind = 'detected') AS detected_count,
      min(e.observed_at) FILTER (WHERE e.kind = 'detected') AS first_detected_at,
      max(e.observed_at) FILTER (WHERE e.kind = 'detected') AS last_detected_at,
      max(e.observed_at) FILTER (WHERE e.kind = 'resolved') AS last_resolved_at,
      max(ARRAY[extract(epoch FROM e.observed_at), e.id, CASE WHEN e.kind = 'resolved' THEN 1 ELSE 0 END])
        AS latest_key`;

const COUNTED_KINDS = `e.kind IN ('detected', 'resolved')`;

function eventsJoin(access: EventAccess): string {
  if (access === 'scan-all') {
    // Aggregated before the join. OFFSET 0 is a planner fence: planned on its own, the inner scan
    // has no use for the (finding_id, observed_at) index order, so it is a seq scan and the grouping
    // a hash aggregate. Without it (and even in a MATERIALIZED CTE) the planner may walk the whole
    // index into a GroupAggregate and merge join; finding_events is append-only, so its heap is in
    // time order, not finding order, and a full index walk turns into random heap reads.
    return `LEFT JOIN (
      SELECT e.finding_id, ${EVENT_FACTS}
      FROM (
        SELECT e.id, e.finding_id, e.kind, e.observed_at
        FROM public.finding_events e
        WHERE ${COUNTED_KINDS}
        OFFSET 0
      ) e
      GROUP BY e.finding_id
    ) ev ON ev.finding_id = f.id`;
  }
  // An aggregate without GROUP BY yields exactly one row, also for a finding without events.
  return `CROSS JOIN LATERAL (
      SELECT ${EVENT_FACTS}
      FROM public.finding_events e
      WHERE e.finding_id = f.id AND ${COUNTED_KINDS}
    ) ev`;
}

/** Where the findings come from, when not the whole of `FINDINGS_WITH_TENANT` (a sample). */
export interface DerivationSource {
  /** A FROM binding `f` (findings) and `t` (their tenant), e.g. with a TABLESAMPLE clause. */
  from: string;
  /** More output columns over `f`, e.g. a row's block for cluster sampling. */
  columns?: string;
}

/**
 * A SELECT returning, for each finding of `FINDINGS_WITH_TENANT` matching `where` (a predicate over
 * `f` and `t`), its `id`, `tenant_id`, the derived lifecycle fields and `affected` (some stored
 * lifecycle field IS DISTINCT FROM its derived value). `where` must exclude the platform tenant;
 * see selection.ts.
 */
export function derivedLifecycleSql(where: string, access: EventAccess, source?: DerivationSource): string {
  const stored = LIFECYCLE_FIELDS.map((c) => `f.${c}`).join(', ');
  const derived = LIFECYCLE_FIELDS.map((c) => `d.${c}`).join(', ');
  return `
    SELECT f.id, f.tenant_id, f.status AS read_status, ${derived},
           (${stored}) IS DISTINCT FROM (${derived}) AS affected${source?.columns ? `, ${source.columns}` : ''}
    FROM ${source?.from ?? FINDINGS_WITH_TENANT}
    ${eventsJoin(access)}
    CROSS JOIN LATERAL (
      SELECT
        -- Legacy values map exactly and case-sensitively; workflow values stay; anything else is new.
        CASE
          WHEN f.status = 'open' THEN 'new'
          WHEN f.status = 'acknowledged' THEN 'triaged'
          WHEN f.status = 'closed' THEN 'resolved'
          WHEN f.status IN (${WORKFLOW_STATUSES}) THEN f.status
          ELSE 'new'
        END AS mapped_status,
        CASE ev.latest_key[3] WHEN 1 THEN 'resolved' WHEN 0 THEN 'detected' END AS latest_kind,
        coalesce(ev.first_detected_at, f.created_at) AS first_seen_at,
        coalesce(ev.last_detected_at, f.created_at) AS last_seen_at,
        greatest(coalesce(ev.detected_count, 0), 1)::integer AS times_seen,
        CASE f.severity WHEN 'critical' THEN 3 WHEN 'high' THEN 7 WHEN 'medium' THEN 30 WHEN 'low' THEN 90 END
          AS sla_days
    ) m
    CROSS JOIN LATERAL (
      SELECT CASE
        WHEN m.latest_kind = 'resolved' AND m.mapped_status <> 'risk_accepted' THEN 'resolved'
        -- Any resolved event is earlier than a latest detected one.
        WHEN m.latest_kind = 'detected' AND m.mapped_status = 'resolved' AND ev.last_resolved_at IS NOT NULL
          THEN 'reopened'
        ELSE m.mapped_status  -- includes a manual resolution (resolved, no resolved event)
      END AS status
    ) s
    CROSS JOIN LATERAL (
      SELECT
        s.status,
        m.first_seen_at,
        m.last_seen_at,
        m.times_seen,
        CASE WHEN s.status = 'resolved' THEN coalesce(ev.last_resolved_at, m.last_seen_at) END AS resolved_at,
        -- A day is exactly 24 hours whatever the session time zone; info and unknown severities: NULL.
        CASE WHEN m.sla_days IS NOT NULL
          THEN m.first_seen_at + make_interval(hours => 24 * m.sla_days) END AS due_at,
        1 AS lifecycle_version
    ) d
    WHERE ${where}`;
}
