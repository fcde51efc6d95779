import { hashOf, SALT, unit } from './random.ts';

// The seed's SQL. Every statement is set-based (generate_series), so a million findings is a
// handful of statements rather than millions of round trips. Parameter $1 is always the seed.
//
// Timestamps are offsets from a fixed anchor, not from now(), so a seed is reproducible on any day.
// Offsets are whole microseconds (interval '1 microsecond' * n, with n < 2^53 so the float product
// is exact): the data carries microseconds, which a derivation through JavaScript Date would lose.

const ANCHOR = "timestamptz '2025-01-01 00:00:00+00'";
const MICROSECOND = "interval '1 microsecond'";
const DAY_US = 86_400_000_000;

const COMPANIES = [
  'Acme',
  'Globex',
  'Initech',
  'Umbrella',
  'Hooli',
  'Stark',
  'Wayne',
  'Wonka',
  'Tyrell',
  'Cyberdyne',
  'Soylent',
  'Vandelay',
  'Pied Piper',
  'Aperture',
  'Massive Dynamic',
  'Oscorp',
  'Gringotts',
  'Monsters Inc',
  'Duff',
  'Nakatomi',
];
const ISSUES = [
  'SQL injection',
  'Cross-site scripting',
  'Outdated dependency',
  'Weak TLS configuration',
  'Exposed secret',
  'Open redirect',
  'Missing security header',
  'Insecure deserialization',
  'Path traversal',
  'Server-side request forgery',
  'Privilege escalation',
  'Default credentials',
];
const COMPONENTS = [
  'checkout-api',
  'auth-service',
  'billing-worker',
  'admin-portal',
  'mobile-gateway',
  'search-indexer',
  'report-exporter',
  'notification-hub',
  'file-upload',
  'customer-web',
];

function textArray(values: readonly string[]): string {
  return `ARRAY[${values.map((v) => `'${v.replaceAll("'", "''")}'`).join(', ')}]`;
}

/** `$1` platform external id. The platform tenant exists before any customer tenant. */
export const INSERT_PLATFORM_TENANT = `
  INSERT INTO public.tenants (external_id, name, created_at)
  SELECT $1, 'Platform', ${ANCHOR} - interval '800 days'
  WHERE NOT EXISTS (SELECT 1 FROM public.tenants WHERE external_id = $1)
  ON CONFLICT (external_id) DO NOTHING`;

/**
 * `$1` seed, `$2` tenant count. Only missing tenants are inserted: ON CONFLICT alone would still
 * draw identity values for the existing ones and shift later ids.
 */
export const INSERT_TENANTS = `
  INSERT INTO public.tenants (external_id, name, created_at)
  SELECT 'tenant-' || t,
         (${textArray(COMPANIES)})[1 + (t - 1) % ${COMPANIES.length}] || ' ' || (1 + (t - 1) / ${COMPANIES.length}),
         ${ANCHOR} - interval '30 days' - ${MICROSECOND} * floor(${unit('t', SALT.tenantCreated)} * ${365 * DAY_US})
  FROM generate_series(1, $2::int) AS t
  WHERE NOT EXISTS (SELECT 1 FROM public.tenants x WHERE x.external_id = 'tenant-' || t)
  ORDER BY t
  ON CONFLICT (external_id) DO NOTHING`;

/**
 * `$1` seed, `$2` tenants, `$3` findings, `$4` platform findings, `$5` drift, `$6` platform external
 * id. One row per finding to create, keyed by `g`, a global ordinal that does not depend on the
 * database (so hashes of it are reproducible).
 *
 * Tenant sizes follow heavy-tailed weights (a few big tenants, many small); the findings are cut
 * from the cumulative weights, so the per-tenant counts add up to exactly `$3`. Tenant `t` owns
 * g in (after_g, last_g]; the platform tenant (t = 0) owns the `$4` ordinals after `$3`.
 *
 * A tenant that already has findings gets none: re-running the seed adds no duplicates.
 */
export const STAGE_FINDINGS = `
  CREATE TEMP TABLE seed_findings ON COMMIT DROP AS
  WITH weights AS (
    SELECT t, least(power(1 - ${unit('t', SALT.tenantWeight)}, -0.8), 1000) AS w
    FROM generate_series(1, $2::int) AS t
  ), cumulative AS (
    SELECT t, sum(w) OVER (ORDER BY t) AS upto FROM weights
  ), ranges AS (
    SELECT t,
           floor($3::bigint * (coalesce(lag(upto) OVER (ORDER BY t), 0) / max(upto) OVER ()))::bigint AS after_g,
           floor($3::bigint * (upto / max(upto) OVER ()))::bigint AS last_g
    FROM cumulative
    UNION ALL
    SELECT 0, $3::bigint, $3::bigint + $4::bigint
  ), picked AS (
    SELECT r.t, tn.id AS tenant_id, g
    FROM ranges r
    JOIN public.tenants tn ON tn.external_id = CASE WHEN r.t = 0 THEN $6 ELSE 'tenant-' || r.t END
    CROSS JOIN LATERAL generate_series(r.after_g + 1, r.last_g) AS g
    WHERE NOT EXISTS (SELECT 1 FROM public.findings f WHERE f.tenant_id = tn.id)
  )
  SELECT g, tenant_id, platform,
    'fp-' || g || '-' || lpad(to_hex(fingerprint_hash), 16, '0') AS fingerprint,
    (${textArray(ISSUES)})[1 + floor(u_issue * ${ISSUES.length})::int] || ' in '
      || (${textArray(COMPONENTS)})[1 + floor(u_component * ${COMPONENTS.length})::int] AS title,
    CASE WHEN u_severity < 0.06 THEN 'critical' WHEN u_severity < 0.22 THEN 'high'
         WHEN u_severity < 0.56 THEN 'medium' WHEN u_severity < 0.84 THEN 'low'
         WHEN u_severity < 0.99 THEN 'info' ELSE 'unknown' END AS severity,
    1 + floor(u_event_count * 6)::int AS event_count,
    first_at,
    first_at - ${MICROSECOND} * floor(u_created_before * 3600000000) AS created_at,
    floor(u_step * ${14 * DAY_US})::bigint AS step_us,
    CASE WHEN platform OR u_drift < $5::float8 THEN
      CASE WHEN u_drift_kind < 0.25 THEN 'legacy' WHEN u_drift_kind < 0.45 THEN 'stale_last_seen'
           WHEN u_drift_kind < 0.65 THEN 'wrong_times_seen' WHEN u_drift_kind < 0.80 THEN 'legacy_status'
           ELSE 'missing_dates' END
    END AS drift_kind,
    u_status, u_drift_amount
  FROM (
    -- OFFSET 0 keeps this level from being flattened into the one above, which would compute a
    -- hash once per reference instead of once per row.
    SELECT g, tenant_id, t = 0 AS platform,
      ${hashOf('g', SALT.fingerprint)} AS fingerprint_hash,
      ${unit('g', SALT.titleIssue)} AS u_issue,
      ${unit('g', SALT.titleComponent)} AS u_component,
      ${unit('g', SALT.severity)} AS u_severity,
      ${unit('g', SALT.eventCount)} AS u_event_count,
      ${ANCHOR} + ${MICROSECOND} * floor(${unit('g', SALT.firstSeen)} * ${365 * DAY_US}) AS first_at,
      ${unit('g', SALT.createdBefore)} AS u_created_before,
      ${unit('g', SALT.step)} AS u_step,
      ${unit('g', SALT.drift)} AS u_drift,
      ${unit('g', SALT.driftKind)} AS u_drift_kind,
      ${unit('g', SALT.status)} AS u_status,
      ${unit('g', SALT.driftAmount)} AS u_drift_amount
    FROM picked
    OFFSET 0
  ) r`;

/**
 * `$1` seed. Each finding's events: 1 to 6 rows. The first is `detected` (rarely `resolved`: a
 * finding imported already fixed); later ones are `detected` or `resolved`, rarely `commented`,
 * a kind the derivation ignores. Event j sits at position p = j, or p = j - 1 (a tie with its
 * predecessor's time); the time grows with p, so within a finding the latest event by
 * (observed_at, id) is the one with the highest j, given the events are inserted in that order.
 */
export const STAGE_EVENTS = `
  CREATE TEMP TABLE seed_events ON COMMIT DROP AS
  SELECT g, j,
    CASE WHEN j = 1 THEN CASE WHEN u_kind < 0.03 THEN 'resolved' ELSE 'detected' END
         WHEN u_kind < 0.04 THEN 'commented'
         WHEN u_kind < 0.42 THEN 'resolved'
         ELSE 'detected' END AS kind,
    first_at + ${MICROSECOND} * (step_us * (p - 1) + floor(${unit('g * 8 + p', SALT.eventJitter)} * (step_us / 2))) AS observed_at
  FROM (
    SELECT f.g, f.first_at, f.step_us, j,
      ${unit('f.g * 8 + j', SALT.eventKind)} AS u_kind,
      j - CASE WHEN j > 1 AND ${unit('f.g * 8 + j', SALT.eventTie)} < 0.05 THEN 1 ELSE 0 END AS p
    FROM seed_findings f
    CROSS JOIN LATERAL generate_series(1, f.event_count) AS j
    OFFSET 0
  ) x`;

/** The per-finding facts the derivation needs, from the staged events. */
export const STAGE_HISTORY = `
  CREATE TEMP TABLE seed_history ON COMMIT DROP AS
  SELECT g,
    count(*) FILTER (WHERE kind = 'detected') AS detected_count,
    min(observed_at) FILTER (WHERE kind = 'detected') AS first_detected_at,
    max(observed_at) FILTER (WHERE kind = 'detected') AS last_detected_at,
    max(j) FILTER (WHERE kind = 'detected') AS last_detected_j,
    max(j) FILTER (WHERE kind = 'resolved') AS last_resolved_j,
    max(observed_at) FILTER (WHERE kind = 'resolved') AS last_resolved_at,
    max(observed_at) AS last_event_at
  FROM seed_events
  GROUP BY g`;

/**
 * Lifecycle fields exactly as findings-lifecycle.md derives them. The stored status is picked so
 * that the derivation keeps it: after a `resolved` event only resolved or risk_accepted; after a
 * `detected` event anything but resolved, unless no `resolved` event exists (a manual resolution).
 */
const DERIVED = `
  SELECT d.*,
    CASE WHEN d.status = 'resolved' THEN coalesce(d.last_resolved_at, d.last_seen_at) END AS resolved_at,
    d.first_seen_at + make_interval(hours => 24 * CASE d.severity WHEN 'critical' THEN 3 WHEN 'high' THEN 7
      WHEN 'medium' THEN 30 WHEN 'low' THEN 90 END) AS due_at
  FROM (
    SELECT f.*, h.last_resolved_at, h.last_event_at,
      coalesce(h.first_detected_at, f.created_at) AS first_seen_at,
      coalesce(h.last_detected_at, f.created_at) AS last_seen_at,
      greatest(h.detected_count, 1)::int AS times_seen,
      coalesce(h.last_resolved_j, 0) > coalesce(h.last_detected_j, 0) AS latest_resolved,
      CASE
        WHEN coalesce(h.last_resolved_j, 0) > coalesce(h.last_detected_j, 0) THEN
          CASE WHEN f.u_status < 0.9 THEN 'resolved' ELSE 'risk_accepted' END
        WHEN h.last_resolved_j IS NOT NULL THEN
          CASE WHEN f.u_status < 0.5 THEN 'reopened' WHEN f.u_status < 0.65 THEN 'triaged'
               WHEN f.u_status < 0.8 THEN 'in_progress' WHEN f.u_status < 0.9 THEN 'new'
               ELSE 'risk_accepted' END
        ELSE
          CASE WHEN f.u_status < 0.45 THEN 'new' WHEN f.u_status < 0.65 THEN 'triaged'
               WHEN f.u_status < 0.85 THEN 'in_progress' WHEN f.u_status < 0.92 THEN 'risk_accepted'
               ELSE 'resolved' END
      END AS status
    FROM seed_findings f
    JOIN seed_history h USING (g)
  ) d`;

/**
 * Drifted rows always lose lifecycle_version (so each is guaranteed to differ from its derivation,
 * and a fresh seed's preflight counts exactly the drifted rows), plus one of: everything missing
 * with a legacy status (a row from before the lifecycle fields), a stale last_seen_at, a wrong
 * times_seen, a legacy status alone, or missing resolved_at/due_at. 'Open' is a legacy-looking
 * value that the exact, case-sensitive mapping treats as unknown.
 */
const LEGACY_STATUS = `
  CASE WHEN latest_resolved THEN
    CASE WHEN u_drift_amount < 0.6 THEN 'closed' WHEN u_drift_amount < 0.8 THEN 'open' END
  ELSE
    CASE WHEN u_drift_amount < 0.45 THEN 'open' WHEN u_drift_amount < 0.75 THEN 'acknowledged'
         WHEN u_drift_amount < 0.85 THEN 'Open' END
  END`;

/** Inserted in creation order, as production rows would have been, so tenants interleave. */
export const INSERT_FINDINGS = `
  INSERT INTO public.findings (tenant_id, fingerprint, title, severity, status, first_seen_at, last_seen_at,
    times_seen, resolved_at, due_at, lifecycle_version, created_at, updated_at)
  SELECT tenant_id, fingerprint, title, severity,
    CASE WHEN drift_kind IN ('legacy', 'legacy_status') THEN ${LEGACY_STATUS} ELSE status END,
    CASE WHEN drift_kind = 'legacy' THEN NULL ELSE first_seen_at END,
    CASE drift_kind WHEN 'legacy' THEN NULL
      WHEN 'stale_last_seen' THEN last_seen_at - ${MICROSECOND} * floor((1 + u_drift_amount * 29) * ${DAY_US})
      ELSE last_seen_at END,
    CASE drift_kind WHEN 'legacy' THEN NULL
      WHEN 'wrong_times_seen' THEN times_seen + 1 + floor(u_drift_amount * 3)::int
      ELSE times_seen END,
    CASE WHEN drift_kind IN ('legacy', 'missing_dates') THEN NULL ELSE resolved_at END,
    CASE WHEN drift_kind IN ('legacy', 'missing_dates') THEN NULL ELSE due_at END,
    CASE WHEN drift_kind IS NULL THEN 1 END,
    created_at,
    last_event_at
  FROM (${DERIVED}) derived
  ORDER BY created_at, g`;

/** The database ids of the new findings, by ordinal, through the (tenant_id, fingerprint) key. */
export const STAGE_IDS = `
  CREATE TEMP TABLE seed_ids ON COMMIT DROP AS
  SELECT f.g, x.id, x.tenant_id
  FROM seed_findings f
  JOIN public.findings x ON x.tenant_id = f.tenant_id AND x.fingerprint = f.fingerprint`;

/**
 * Time-ordered, as the production table is: one finding's events are scattered across the table
 * and ids. Ties go by ordinal then position, so a finding's tied events get ids in their order.
 */
export const INSERT_EVENTS = `
  INSERT INTO public.finding_events (finding_id, tenant_id, kind, observed_at)
  SELECT i.id, i.tenant_id, e.kind, e.observed_at
  FROM seed_events e
  JOIN seed_ids i USING (g)
  ORDER BY e.observed_at, e.g, e.j`;

export const COUNT_STAGED = `
  SELECT count(*) FILTER (WHERE NOT platform) AS findings,
    count(*) FILTER (WHERE NOT platform AND drift_kind IS NOT NULL) AS drifted,
    coalesce(sum(event_count) FILTER (WHERE NOT platform), 0) AS events,
    count(*) FILTER (WHERE platform) AS platform_findings,
    coalesce(sum(event_count) FILTER (WHERE platform), 0) AS platform_events
  FROM seed_findings`;
