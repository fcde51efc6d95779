import type pg from 'pg';
import type { Page } from '../db/keyset-page.ts';
import { type AuditListFilter, listAuditEvents } from './audit-list.ts';
import type { ChainRecord } from './chain/canonical.ts';
import {
  auditChainStatus,
  type ChainStatus,
  type ChainVerification,
  eachChainRecord,
  verifyAuditChain,
} from './chain/chain-verify.ts';

/** Every action the audit log knows, in one place. */
export const AUDIT_ACTIONS = [
  'run.started',
  'run.completed',
  'run.failed',
  'run.cancelled',
  'run.refused',
  'run.interrupted',
  'run.pause_requested',
  'run.resumed',
  'run.cancel_requested',
  'run.journal_dropped',
  'run.hook_completed',
  'run.hook_failed',
  'runbook.preflight',
  'runbook.preflight_failed',
  'auth.sign_in_failed',
  'auth.sign_in_throttled',
  'breakglass.activated',
  'breakglass.deactivated',
  'breakglass.expired',
  'alert.destination_created',
  'alert.destination_updated',
  'alert.destination_deleted',
  'alert.test_sent',
  'alert.secrets_rotated',
  'schedule.created',
  'schedule.updated',
  'schedule.deleted',
  'schedule.drift_detected',
  'approval.requested',
  'approval.approved',
  'approval.rejected',
  'approval.expired',
  'approval.started',
  'approval.withdrawn',
  'approval.exemption_used',
  'approval.policy_changed',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export interface AuditEventInput {
  action: AuditAction;
  actorLabel: string;
  actor?: unknown;
  runId?: string | null;
  runbookId?: string | null;
  scope?: unknown;
  outcome?: string | null;
  ip?: string | null;
  details?: Record<string, unknown>;
}

export interface AuditEvent {
  id: string;
  occurredAt: string;
  /** Typed so the console's labels must cover every action (a row written by an older daemon may hold one no longer listed). */
  action: AuditAction;
  actorLabel: string;
  runId: string | null;
  runbookId: string | null;
  scope: unknown;
  outcome: string | null;
  ip: string | null;
  details: Record<string, unknown>;
}

export type AuditWriteResult = { ok: true } | { ok: false; error: string };

// An audit write must never fail or hang a run: it gets its own short timeout, and errors are
// returned (for the caller to keep on the run) instead of thrown.
//
// Each event is chained by PostgreSQL (migration 013): the insert holds the chain head's row lock
// until its transaction ends. Here that transaction is the INSERT alone, in autocommit, so the lock
// is held inside the server only (the statement and its commit), never across a round trip to a
// daemon whose event loop may be busy. Write events only through record(): an INSERT into
// ops.audit_events inside a longer transaction (a run chunk, a migration) would hold every other
// audit write of every daemon until it commits; past the timeout below they fail (fail-safe:
// returned, never thrown).
const AUDIT_TIMEOUT = '5s';

export class AuditLog {
  constructor(
    private readonly pool: pg.Pool,
    private readonly onFailure: (message: string) => void = (m) => process.stderr.write(`audit: ${m}\n`),
  ) {}

  async record(event: AuditEventInput): Promise<AuditWriteResult> {
    let client: pg.PoolClient | undefined;
    try {
      client = await this.pool.connect();
      // Session-level, so the INSERT can run in autocommit; reset below (or the client is dropped).
      await client.query(`SET statement_timeout = '${AUDIT_TIMEOUT}'`);
      await client.query(
        `INSERT INTO ops.audit_events (action, actor_label, actor, run_id, runbook_id, scope, outcome, ip, details)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
        [
          event.action,
          event.actorLabel,
          event.actor === undefined ? null : JSON.stringify(event.actor),
          event.runId ?? null,
          event.runbookId ?? null,
          event.scope === undefined ? null : JSON.stringify(event.scope),
          event.outcome ?? null,
          event.ip ?? null,
          JSON.stringify(event.details ?? {}),
        ],
      );
      return { ok: true };
    } catch (error) {
      const message = `could not write audit event ${event.action}${event.runId ? ` for run ${event.runId}` : ''}: ${(error as Error).message}`;
      this.onFailure(message);
      return { ok: false, error: message };
    } finally {
      if (client) {
        const c = client;
        // A client whose timeout could not be reset must not serve a run's long statements.
        await c.query('RESET statement_timeout').then(
          () => c.release(),
          (error: Error) => c.release(error),
        );
      }
    }
  }

  /** One page of events, filtered and sorted (newest first by default). Throws InputError (cursor). */
  list(filter: AuditListFilter): Promise<Page<AuditEvent>> {
    return listAuditEvents(this.pool, filter);
  }

  /** The whole hash chain, checked (docs/audit-chain.md); the outcome is kept for the console. */
  verifyChain(): Promise<ChainVerification> {
    return verifyAuditChain(this.pool);
  }

  /** How far the chain is verified; bounded work per call (see auditChainStatus). */
  chainStatus(): Promise<ChainStatus> {
    return auditChainStatus(this.pool);
  }

  /** Every event as the chain hashes it, in seq order, from one snapshot; returns the head. */
  eachChainRecord(visit: (record: ChainRecord) => boolean | Promise<boolean>) {
    return eachChainRecord(this.pool, visit);
  }
}
