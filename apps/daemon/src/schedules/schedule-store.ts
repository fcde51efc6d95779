import type { ResolvedScope } from '@ops/runbook-sdk';
import type pg from 'pg';
import { NotFoundError } from '../errors.ts';
import type { ReasonCode } from '../runs/index.ts';

export const SCHEDULE_MODES = ['preflight', 'run'] as const;
export type ScheduleMode = (typeof SCHEDULE_MODES)[number];

/**
 * How an occurrence ends. The winning daemon's row starts `firing` and ends in one of these;
 * a daemon that lost the tick records `skipped` at once.
 */
export const OCCURRENCE_OUTCOMES = {
  started: 'run mode: a run was started (run_id)',
  nothing_to_do: 'run mode: preflight found nothing to change, so no run was recorded',
  drift_detected: 'preflight mode: rows to repair were found, and the destinations were alerted',
  clean: 'preflight mode: nothing to repair',
  skipped: 'another daemon fired this tick, or a run held the lock for the scope',
  failed: 'the fire itself went wrong, or its daemon stopped mid-fire (reason)',
} as const;
export type OccurrenceStatus = 'firing' | keyof typeof OCCURRENCE_OUTCOMES;
export type OccurrenceOutcome = {
  status: keyof typeof OCCURRENCE_OUTCOMES;
  reason?: string | null;
  runId?: string | null;
  affectedCount?: number | null;
};

export interface ScheduleOwner {
  id: string;
  email: string;
}

export interface Schedule {
  id: string;
  name: string;
  cron: string;
  timezone: string;
  runbookId: string;
  scope: ResolvedScope;
  params: Record<string, unknown>;
  mode: ScheduleMode;
  reasonCode: ReasonCode | null;
  reasonText: string | null;
  enabled: boolean;
  createdBy: ScheduleOwner;
  version: number;
  createdAt: string;
  updatedAt: string;
}

export type NewSchedule = Omit<Schedule, 'id' | 'version' | 'createdAt' | 'updatedAt'>;
export type SchedulePatch = Partial<Omit<NewSchedule, 'createdBy'>>;

export interface Occurrence {
  id: string;
  scheduleId: string;
  slotAt: string;
  claimed: boolean;
  status: OccurrenceStatus;
  reason: string | null;
  runId: string | null;
  affectedCount: number | null;
  daemon: string;
  createdAt: string;
  finishedAt: string | null;
}

/**
 * Longer than any fire takes (a fire is one preflight, or a run's start): an occurrence firing
 * for longer lost its daemon, even one this daemon cannot prove gone (another host).
 */
export const FIRING_LIMIT_MS = 60 * 60_000;

const iso = (d: Date | null) => (d ? d.toISOString() : null);

function toSchedule(r: Record<string, unknown>): Schedule {
  return {
    id: String(r.id),
    name: r.name as string,
    cron: r.cron as string,
    timezone: r.timezone as string,
    runbookId: r.runbook_id as string,
    scope: r.scope as ResolvedScope,
    params: r.params as Record<string, unknown>,
    mode: r.mode as ScheduleMode,
    reasonCode: r.reason_code as ReasonCode | null,
    reasonText: r.reason_text as string | null,
    enabled: r.enabled as boolean,
    createdBy: r.created_by as ScheduleOwner,
    version: r.version as number,
    createdAt: (r.created_at as Date).toISOString(),
    updatedAt: (r.updated_at as Date).toISOString(),
  };
}

function toOccurrence(r: Record<string, unknown>): Occurrence {
  return {
    id: String(r.id),
    scheduleId: String(r.schedule_id),
    slotAt: (r.slot_at as Date).toISOString(),
    claimed: r.claimed as boolean,
    status: r.status as OccurrenceStatus,
    reason: r.reason as string | null,
    runId: r.run_id === null ? null : String(r.run_id),
    affectedCount: r.affected_count === null ? null : Number(r.affected_count),
    daemon: r.daemon as string,
    createdAt: (r.created_at as Date).toISOString(),
    finishedAt: iso(r.finished_at as Date | null),
  };
}

/** The ops.schedules and ops.schedule_occurrences tables. */
export class ScheduleStore {
  constructor(private readonly pool: pg.Pool) {}

  async list(filter: { enabledOnly?: boolean } = {}): Promise<Schedule[]> {
    const { rows } = await this.pool.query(
      'SELECT * FROM ops.schedules WHERE ($1::boolean IS FALSE OR enabled) ORDER BY id',
      [filter.enabledOnly ?? false],
    );
    return rows.map(toSchedule);
  }

  async find(id: string): Promise<Schedule | null> {
    const { rows } = await this.pool.query('SELECT * FROM ops.schedules WHERE id = $1', [id]);
    return rows[0] ? toSchedule(rows[0]) : null;
  }

  /** Throws NotFoundError naming `id`. */
  async get(id: string): Promise<Schedule> {
    const found = await this.find(id);
    if (!found) throw new NotFoundError(`schedule ${id} does not exist`, 'id');
    return found;
  }

  async create(s: NewSchedule): Promise<Schedule> {
    const { rows } = await this.pool.query(
      `INSERT INTO ops.schedules
         (name, cron, timezone, runbook_id, scope, params, mode, reason_code, reason_text, enabled, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING *`,
      [
        s.name,
        s.cron,
        s.timezone,
        s.runbookId,
        JSON.stringify(s.scope),
        JSON.stringify(s.params),
        s.mode,
        s.reasonCode,
        s.reasonText,
        s.enabled,
        JSON.stringify(s.createdBy),
      ],
    );
    return toSchedule(rows[0]);
  }

  /** Writes the whole schedule back with a new version. Throws NotFoundError naming `id`. */
  async update(id: string, next: Schedule): Promise<Schedule> {
    const { rows } = await this.pool.query(
      `UPDATE ops.schedules
          SET name = $2, cron = $3, timezone = $4, runbook_id = $5, scope = $6, params = $7, mode = $8,
              reason_code = $9, reason_text = $10, enabled = $11, version = version + 1, updated_at = now()
        WHERE id = $1 RETURNING *`,
      [
        id,
        next.name,
        next.cron,
        next.timezone,
        next.runbookId,
        JSON.stringify(next.scope),
        JSON.stringify(next.params),
        next.mode,
        next.reasonCode,
        next.reasonText,
        next.enabled,
      ],
    );
    if (!rows[0]) throw new NotFoundError(`schedule ${id} does not exist`, 'id');
    return toSchedule(rows[0]);
  }

  /** Throws NotFoundError naming `id`. Its occurrences go with it. */
  async delete(id: string): Promise<Schedule> {
    const { rows } = await this.pool.query('DELETE FROM ops.schedules WHERE id = $1 RETURNING *', [id]);
    if (!rows[0]) throw new NotFoundError(`schedule ${id} does not exist`, 'id');
    return toSchedule(rows[0]);
  }

  /**
   * Claims one tick for this daemon: true for exactly one caller per (schedule, slot), whatever
   * the number of daemons, through the unique index on claimed rows. A schedule that is gone,
   * disabled, or edited since `version` was armed is never claimed: a daemon that has not yet
   * picked up a new cron expression cannot fire on the old one's ticks.
   */
  async claim(scheduleId: string, version: number, slotAt: Date, daemon: string): Promise<boolean> {
    const result = await this.pool.query(
      `INSERT INTO ops.schedule_occurrences (schedule_id, slot_at, claimed, status, daemon)
       SELECT $1, $2, true, 'firing', $3
        WHERE EXISTS (SELECT 1 FROM ops.schedules WHERE id = $1 AND enabled AND version = $4)
       ON CONFLICT (schedule_id, slot_at) WHERE claimed DO NOTHING`,
      [scheduleId, slotAt, daemon, version],
    );
    return result.rowCount === 1;
  }

  /** A daemon that lost the tick says so (only when another daemon did claim it). */
  async recordLostTick(scheduleId: string, slotAt: Date, daemon: string): Promise<void> {
    await this.pool.query(
      `INSERT INTO ops.schedule_occurrences (schedule_id, slot_at, claimed, status, reason, daemon, finished_at)
       SELECT $1, $2, false, 'skipped', 'another daemon (' || winner.daemon || ') fired this tick', $3, now()
         FROM ops.schedule_occurrences winner
        WHERE winner.schedule_id = $1 AND winner.slot_at = $2 AND winner.claimed`,
      [scheduleId, slotAt, daemon],
    );
  }

  /** Ends the claimed occurrence of a tick; returns its id. */
  async finishOccurrence(
    scheduleId: string,
    slotAt: Date,
    outcome: OccurrenceOutcome,
  ): Promise<string | null> {
    const { rows } = await this.pool.query(
      `UPDATE ops.schedule_occurrences
          SET status = $3, reason = $4, run_id = $5, affected_count = $6, finished_at = now()
        WHERE schedule_id = $1 AND slot_at = $2 AND claimed AND status = 'firing'
        RETURNING id`,
      [
        scheduleId,
        slotAt,
        outcome.status,
        outcome.reason ?? null,
        outcome.runId ?? null,
        outcome.affectedCount ?? null,
      ],
    );
    return rows[0] ? String(rows[0].id) : null;
  }

  /**
   * Ends claimed occurrences left `firing` by a daemon that stopped mid-fire: `failed`, with the
   * reason, like any other occurrence. Reaped when its daemon is provably gone (`isGone`), or
   * when it has been firing longer than any fire takes (FIRING_LIMIT_MS). A live daemon that
   * finishes such a fire after all finds its row already ended and leaves it so.
   */
  async reapStuck(isGone: (daemonId: string) => boolean, limitMs = FIRING_LIMIT_MS): Promise<Occurrence[]> {
    const { rows } = await this.pool.query(
      `SELECT id, daemon, created_at < now() - $1 * interval '1 millisecond' AS expired
         FROM ops.schedule_occurrences WHERE status = 'firing' AND claimed`,
      [limitMs],
    );
    const reaped: Occurrence[] = [];
    for (const row of rows as { id: string; daemon: string; expired: boolean }[]) {
      const reason = isGone(row.daemon)
        ? `its daemon (${row.daemon}) stopped while firing`
        : row.expired
          ? `still firing after ${Math.round(limitMs / 60_000)} minutes: its daemon (${row.daemon}) is presumed stopped`
          : null;
      if (!reason) continue;
      const ended = await this.pool.query(
        `UPDATE ops.schedule_occurrences SET status = 'failed', reason = $2, finished_at = now()
          WHERE id = $1 AND status = 'firing' RETURNING *`,
        [row.id, reason],
      );
      if (ended.rows[0]) reaped.push(toOccurrence(ended.rows[0]));
    }
    return reaped;
  }

  async occurrences(scheduleId: string, limit: number): Promise<Occurrence[]> {
    const { rows } = await this.pool.query(
      'SELECT * FROM ops.schedule_occurrences WHERE schedule_id = $1 ORDER BY id DESC LIMIT $2',
      [scheduleId, limit],
    );
    return rows.map(toOccurrence);
  }

  /** The latest claimed occurrence of each schedule. */
  async lastOccurrences(): Promise<Map<string, Occurrence>> {
    const { rows } = await this.pool.query(
      `SELECT DISTINCT ON (schedule_id) * FROM ops.schedule_occurrences
        WHERE claimed ORDER BY schedule_id, slot_at DESC, id DESC`,
    );
    return new Map(rows.map((r) => [String(r.schedule_id), toOccurrence(r)]));
  }
}
