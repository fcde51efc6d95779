import type pg from 'pg';
import type { AuditLog } from '../audit/index.ts';
import { ConflictError, InputError, NotAllowedError } from '../errors.ts';
import { REASON_CODES, REASON_TEXT_MAX } from '../runs/reasons.ts';
import { PLATFORM_CAPABILITIES } from './capabilities.ts';
import { type BreakGlassState, hasCapability, type Principal } from './principal.ts';

interface BreakGlassRow {
  id: string;
  user_id: string;
  reason_code: string;
  reason_text: string;
  activated_at: Date;
  expires_at: Date;
}

interface OpenRow extends BreakGlassRow {
  expired: boolean;
}

const COLUMNS = 'id::text AS id, user_id, reason_code, reason_text, activated_at, expires_at';

function toState(row: BreakGlassRow): BreakGlassState {
  return {
    id: row.id,
    reasonCode: row.reason_code,
    reasonText: row.reason_text,
    activatedAt: row.activated_at.toISOString(),
    expiresAt: row.expires_at.toISOString(),
  };
}

function auditDetails(row: BreakGlassRow): Record<string, unknown> {
  return {
    breakGlassId: row.id,
    reasonCode: row.reason_code,
    reasonText: row.reason_text,
    activatedAt: row.activated_at.toISOString(),
    expiresAt: row.expires_at.toISOString(),
  };
}

function userActor(userId: string, email: string) {
  return { kind: 'user', id: userId, email };
}

/** Checks a break-glass reason; throws InputError naming reasonCode or reasonText. */
export function validateBreakGlassReason(input: { reasonCode: string; reasonText: string }) {
  const reasonCode = input.reasonCode?.trim() ?? '';
  if (!(REASON_CODES as readonly string[]).includes(reasonCode)) {
    throw new InputError(
      'reasonCode',
      `reason code must be one of ${REASON_CODES.join(', ')} (got ${JSON.stringify(input.reasonCode)})`,
    );
  }
  const reasonText = input.reasonText?.trim() ?? '';
  if (reasonText === '') throw new InputError('reasonText', 'a reason text is required to enter break-glass');
  if (reasonText.length > REASON_TEXT_MAX) {
    throw new InputError(
      'reasonText',
      `reason text must be at most ${REASON_TEXT_MAX} characters (got ${reasonText.length})`,
    );
  }
  return { reasonCode, reasonText };
}

/**
 * Break-glass sessions in `ops.break_glass`. At most one is open per account (a partial unique
 * index). An open row past `expires_at` grants nothing: it is closed, with `ended_at = expires_at`,
 * by whichever reader notices it first — `current()`, `activate()` or the periodic `expireAll()` —
 * and only the statement that closes it writes the `breakglass.expired` audit event, so several
 * daemons audit it once.
 */
export class BreakGlassStore {
  constructor(
    private readonly pool: pg.Pool,
    private readonly audit: AuditLog,
    private readonly minutes: number,
  ) {}

  /** The account's active break-glass, or null; closes an expired one on the way. */
  async current(userId: string, email: string): Promise<BreakGlassState | null> {
    const result = await this.pool.query<OpenRow>(
      `SELECT ${COLUMNS}, expires_at <= now() AS expired FROM ops.break_glass WHERE user_id = $1 AND ended_at IS NULL`,
      [userId],
    );
    const row = result.rows[0];
    if (row === undefined) return null;
    if (!row.expired) return toState(row);
    await this.closeExpired(row.id, email);
    return null;
  }

  /**
   * Opens break-glass for `principal`. Throws NotAllowedError without `platform.breakglass`,
   * InputError for a bad reason, and ConflictError while one is already active (it is not extended
   * silently: the operator deactivates and states a new reason).
   */
  async activate(
    principal: Principal,
    input: { reasonCode: string; reasonText: string },
    ip: string | null,
  ): Promise<BreakGlassState> {
    if (principal.plane !== 'platform' || !hasCapability(principal, PLATFORM_CAPABILITIES.breakGlass)) {
      throw new NotAllowedError(PLATFORM_CAPABILITIES.breakGlass);
    }
    const reason = validateBreakGlassReason(input);
    const active = await this.current(principal.userId, principal.email);
    if (active !== null) throw this.alreadyActive(active);
    let row: BreakGlassRow;
    try {
      const result = await this.pool.query<BreakGlassRow>(
        `INSERT INTO ops.break_glass (user_id, reason_code, reason_text, activated_at, expires_at)
         VALUES ($1, $2, $3, now(), now() + $4::double precision * interval '1 minute')
         RETURNING ${COLUMNS}`,
        [principal.userId, reason.reasonCode, reason.reasonText, this.minutes],
      );
      row = result.rows[0] as BreakGlassRow;
    } catch (error) {
      // A concurrent activation won the partial unique index.
      if ((error as { code?: string }).code === '23505') {
        const winner = await this.current(principal.userId, principal.email);
        if (winner !== null) throw this.alreadyActive(winner);
      }
      throw error;
    }
    await this.audit.record({
      action: 'breakglass.activated',
      actorLabel: principal.email,
      actor: userActor(principal.userId, principal.email),
      ip,
      details: { ...auditDetails(row), minutes: this.minutes },
    });
    return toState(row);
  }

  /** Ends the principal's active break-glass; a no-op (nothing audited) when none is active. */
  async deactivate(principal: Principal, ip: string | null): Promise<void> {
    const result = await this.pool.query<BreakGlassRow>(
      `UPDATE ops.break_glass SET ended_at = now(), end_reason = 'deactivated'
        WHERE user_id = $1 AND ended_at IS NULL AND expires_at > now()
        RETURNING ${COLUMNS}`,
      [principal.userId],
    );
    const row = result.rows[0];
    if (row === undefined) {
      await this.current(principal.userId, principal.email); // closes (and audits) an expired one
      return;
    }
    await this.audit.record({
      action: 'breakglass.deactivated',
      actorLabel: principal.email,
      actor: userActor(principal.userId, principal.email),
      ip,
      details: auditDetails(row),
    });
  }

  /** Closes every open break-glass past its expiry and audits each; returns how many. */
  async expireAll(): Promise<number> {
    const result = await this.pool.query<BreakGlassRow & { email: string }>(
      `UPDATE ops.break_glass b SET ended_at = b.expires_at, end_reason = 'expired'
         FROM ops."user" u
        WHERE b.ended_at IS NULL AND b.expires_at <= now() AND u.id = b.user_id
        RETURNING b.id::text AS id, b.user_id, b.reason_code, b.reason_text, b.activated_at, b.expires_at, u.email`,
    );
    for (const row of result.rows) await this.auditExpired(row, row.email);
    return result.rows.length;
  }

  private async closeExpired(id: string, email: string): Promise<void> {
    const result = await this.pool.query<BreakGlassRow>(
      `UPDATE ops.break_glass SET ended_at = expires_at, end_reason = 'expired'
        WHERE id = $1 AND ended_at IS NULL AND expires_at <= now()
        RETURNING ${COLUMNS}`,
      [id],
    );
    const row = result.rows[0];
    if (row !== undefined) await this.auditExpired(row, email);
  }

  private async auditExpired(row: BreakGlassRow, email: string): Promise<void> {
    await this.audit.record({
      action: 'breakglass.expired',
      actorLabel: email,
      actor: userActor(row.user_id, email),
      details: auditDetails(row),
    });
  }

  private alreadyActive(active: BreakGlassState): ConflictError {
    return new ConflictError(
      `break-glass is already active until ${active.expiresAt} (${active.reasonCode}); deactivate it first`,
    );
  }
}
