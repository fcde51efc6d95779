import type { CsvInputRows, ResolvedScope } from '@ops/runbook-sdk';
import type pg from 'pg';
import type { Actor } from '../runs/index.ts';
import type { RunInputSummary } from '../runs/run-input.ts';
import { type ApprovalMode, type ApprovalPolicy, DEFAULT_APPROVAL_MODE, EVERY_RUNBOOK } from './policy.ts';
import { fromStatesOf, OPEN_STATUSES, type RequestStatus } from './request-state.ts';

/** What the request was based on: the preflight's exact count, or an estimate with its 95% margin. */
export interface RequestPreflight {
  affected_count: number;
  margin: number | null;
}

export interface RunRequest {
  id: string;
  runbookId: string;
  scope: ResolvedScope;
  params: Record<string, unknown>;
  reasonCode: string | null;
  reasonText: string | null;
  preflight: RequestPreflight;
  /** The CSV file the run was asked for (its rows are in ops.run_request_inputs), or null. */
  input: RunInputSummary | null;
  requester: Actor & { kind: 'user' };
  status: RequestStatus;
  decidedBy: (Actor & { kind: 'user' }) | null;
  decisionComment: string | null;
  decidedAt: string | null;
  expiresAt: string;
  runId: string | null;
  createdAt: string;
}

export interface NewRunRequest {
  runbookId: string;
  scope: ResolvedScope;
  params: Record<string, unknown>;
  reasonCode: string | null;
  reasonText: string | null;
  preflight: RequestPreflight;
  /** The validated file of a CSV-input runbook, stored with the request in one transaction. */
  input: CsvInputRows | null;
  requester: Actor & { kind: 'user' };
  ttlMs: number;
}

/** The request's columns plus its file's summary (a LEFT JOIN: null for a runbook without input). */
const REQUEST_SELECT = `SELECT r.*, CASE WHEN i.request_id IS NULL THEN NULL ELSE
           json_build_object('file_name', i.file_name, 'sha256', i.sha256, 'row_count', i.row_count,
                             'byte_count', i.byte_count) END AS input
      FROM ops.run_requests r LEFT JOIN ops.run_request_inputs i ON i.request_id = r.id`;

const iso = (d: Date | null) => (d ? d.toISOString() : null);

function toRequest(r: Record<string, unknown>): RunRequest {
  return {
    id: String(r.id),
    runbookId: r.runbook_id as string,
    scope: r.scope as ResolvedScope,
    params: r.params as Record<string, unknown>,
    reasonCode: r.reason_code as string | null,
    reasonText: r.reason_text as string | null,
    preflight: r.preflight as RequestPreflight,
    input: (r.input as RunInputSummary | null | undefined) ?? null,
    requester: r.requester as RunRequest['requester'],
    status: r.status as RequestStatus,
    decidedBy: r.decided_by as RunRequest['decidedBy'],
    decisionComment: r.decision_comment as string | null,
    decidedAt: iso(r.decided_at as Date | null),
    expiresAt: (r.expires_at as Date).toISOString(),
    runId: r.run_id === null ? null : String(r.run_id),
    createdAt: (r.created_at as Date).toISOString(),
  };
}

/** The approval tables. Every status change is one conditional UPDATE, so concurrent callers in any daemon see exactly one winner. */
export class ApprovalStore {
  constructor(private readonly pool: pg.Pool) {}

  async policyOf(runbookId: string): Promise<ApprovalPolicy> {
    const { rows } = await this.pool.query(
      `SELECT runbook_id, mode, exempt_identities, updated_by, updated_at FROM ops.approval_policies
        WHERE runbook_id = $1 OR runbook_id = $2 ORDER BY (runbook_id = $2)`,
      [runbookId, EVERY_RUNBOOK],
    );
    const row = rows[0];
    if (!row) {
      return {
        runbookId,
        mode: DEFAULT_APPROVAL_MODE,
        exemptIdentities: [],
        source: 'default',
        updatedBy: null,
        updatedAt: null,
      };
    }
    return {
      runbookId,
      mode: row.mode as ApprovalMode,
      exemptIdentities: row.exempt_identities as string[],
      source: row.runbook_id === EVERY_RUNBOOK ? 'every_runbook' : 'runbook',
      updatedBy: (row.updated_by as { label?: string } | null)?.label ?? null,
      updatedAt: iso(row.updated_at as Date),
    };
  }

  async setPolicy(
    runbookId: string,
    policy: { mode: ApprovalMode; exemptIdentities: string[] },
    by: { label: string; actor: unknown },
  ): Promise<void> {
    await this.pool.query(
      `INSERT INTO ops.approval_policies (runbook_id, mode, exempt_identities, updated_by, updated_at)
       VALUES ($1, $2, $3, $4, now())
       ON CONFLICT (runbook_id) DO UPDATE SET mode = EXCLUDED.mode,
         exempt_identities = EXCLUDED.exempt_identities, updated_by = EXCLUDED.updated_by, updated_at = now()`,
      [runbookId, policy.mode, policy.exemptIdentities, JSON.stringify({ label: by.label, actor: by.actor })],
    );
  }

  async create(input: NewRunRequest): Promise<RunRequest> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const created = await this.insert(client, input);
      if (input.input) await storeRequestInput(client, created.id, input.input);
      await client.query('COMMIT');
      return (await this.get(created.id))!;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    } finally {
      client.release();
    }
  }

  private async insert(client: pg.PoolClient, input: NewRunRequest): Promise<RunRequest> {
    const { rows } = await client.query(
      `INSERT INTO ops.run_requests
         (runbook_id, scope, params, reason_code, reason_text, preflight, requester, requester_id, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, now() + make_interval(secs => $9::double precision / 1000))
       RETURNING *`,
      [
        input.runbookId,
        JSON.stringify(input.scope),
        JSON.stringify(input.params),
        input.reasonCode,
        input.reasonText,
        JSON.stringify(input.preflight),
        JSON.stringify(input.requester),
        input.requester.id,
        input.ttlMs,
      ],
    );
    return toRequest(rows[0]);
  }

  async get(id: string): Promise<RunRequest | null> {
    const { rows } = await this.pool.query(`${REQUEST_SELECT} WHERE r.id = $1`, [id]);
    return rows[0] ? toRequest(rows[0]) : null;
  }

  /** The request's stored file, as validated rows; null when it has none. */
  async inputOf(id: string): Promise<CsvInputRows | null> {
    const { rows } = await this.pool.query<{
      file_name: string;
      sha256: string;
      row_count: number;
      byte_count: number;
      columns: string[];
      rows: CsvInputRows['rows'];
    }>(
      'SELECT file_name, sha256, row_count, byte_count, columns, rows FROM ops.run_request_inputs WHERE request_id = $1',
      [id],
    );
    const row = rows[0];
    if (!row) return null;
    return {
      fileName: row.file_name,
      sha256: row.sha256,
      rowCount: row.row_count,
      byteCount: row.byte_count,
      columns: row.columns,
      rows: row.rows,
    };
  }

  async list(filter: { status?: RequestStatus; limit: number }): Promise<RunRequest[]> {
    const { rows } = await this.pool.query(
      `${REQUEST_SELECT} WHERE ($1::text IS NULL OR r.status = $1) ORDER BY r.id DESC LIMIT $2`,
      [filter.status ?? null, filter.limit],
    );
    return rows.map(toRequest);
  }

  /**
   * Approves or rejects a pending, unexpired request of someone else; null when it was not (any
   * more) pending — the caller reads why. An approval's expiry starts at the decision.
   */
  async decide(
    id: string,
    to: 'approved' | 'rejected',
    by: Actor & { kind: 'user' },
    comment: string,
    ttlMs: number,
  ): Promise<RunRequest | null> {
    const { rows } = await this.pool.query(
      `UPDATE ops.run_requests
          SET status = $2, decided_by = $3, decision_comment = $4, decided_at = now(), updated_at = now(),
              expires_at = CASE WHEN $2 = 'approved'
                                THEN now() + make_interval(secs => $5::double precision / 1000)
                                ELSE expires_at END
        WHERE id = $1 AND status = ANY($6) AND expires_at > now() AND requester_id <> $7
        RETURNING id`,
      [id, to, JSON.stringify(by), comment, ttlMs, fromStatesOf(to), by.id],
    );
    return rows[0] ? this.get(id) : null;
  }

  /** The requester takes back their pending, unexpired request; null when it was not (any more) pending. */
  async withdraw(id: string, requesterId: string, comment: string | null): Promise<RunRequest | null> {
    const { rows } = await this.pool.query(
      `UPDATE ops.run_requests
          SET status = 'withdrawn', decision_comment = $3, decided_at = now(), updated_at = now()
        WHERE id = $1 AND status = ANY($4) AND expires_at > now() AND requester_id = $2
        RETURNING id`,
      [id, requesterId, comment, fromStatesOf('withdrawn')],
    );
    return rows[0] ? this.get(String(rows[0].id)) : null;
  }

  /** Takes an approved, unexpired request's one start; null when it cannot be taken. */
  async claim(id: string): Promise<RunRequest | null> {
    const { rows } = await this.pool.query(
      `UPDATE ops.run_requests SET status = 'started', updated_at = now()
        WHERE id = $1 AND status = ANY($2) AND expires_at > now() RETURNING id`,
      [id, fromStatesOf('started')],
    );
    return rows[0] ? this.get(id) : null;
  }

  /** A start that recorded no run gives the approval back (still bound to its expiry). */
  async unclaim(id: string): Promise<void> {
    await this.pool.query(
      `UPDATE ops.run_requests SET status = 'approved', updated_at = now()
        WHERE id = $1 AND status = 'started' AND run_id IS NULL`,
      [id],
    );
  }

  async linkRun(id: string, runId: string): Promise<void> {
    await this.pool.query('UPDATE ops.run_requests SET run_id = $2, updated_at = now() WHERE id = $1', [
      id,
      runId,
    ]);
  }

  /** Moves every open request past its expiry to `expired`; returns them (each expires once). */
  async expireDue(): Promise<RunRequest[]> {
    const { rows } = await this.pool.query(
      `UPDATE ops.run_requests SET status = 'expired', updated_at = now()
        WHERE status = ANY($1) AND expires_at <= now() RETURNING id`,
      [OPEN_STATUSES],
    );
    if (rows.length === 0) return [];
    const expired = await this.pool.query(`${REQUEST_SELECT} WHERE r.id = ANY($1::bigint[]) ORDER BY r.id`, [
      rows.map((r) => r.id),
    ]);
    return expired.rows.map(toRequest);
  }

  /** The platform operators holding `capability`, to notify of a request. */
  async holdersOf(capability: string): Promise<string[]> {
    const { rows } = await this.pool.query(
      `SELECT id FROM ops."user" WHERE plane = 'platform' AND capabilities ? $1`,
      [capability],
    );
    return rows.map((r) => String(r.id));
  }
}

async function storeRequestInput(
  client: pg.PoolClient,
  requestId: string,
  input: CsvInputRows,
): Promise<void> {
  await client.query(
    `INSERT INTO ops.run_request_inputs (request_id, file_name, sha256, row_count, byte_count, columns, rows)
     VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7::jsonb)`,
    [
      requestId,
      input.fileName,
      input.sha256,
      input.rowCount,
      input.byteCount,
      JSON.stringify(input.columns),
      JSON.stringify(input.rows),
    ],
  );
}
