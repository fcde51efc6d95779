import type { CsvInputRows, ResolvedScope, Summary } from '@ops/runbook-sdk';
import type { Sequelize } from 'sequelize';
import { keysetPage, type Page } from '../db/keyset-page.ts';
import { NotFoundError } from '../errors.ts';
import { storeRunInput } from './run-input.ts';
import { type RunListFilter, runListSpec } from './run-list.ts';
import {
  type Actor,
  actorLabel,
  defineRunModel,
  type RunModel,
  type RunProgress,
  type RunRecord,
  type RunRow,
  toRunRecord,
} from './run-record.ts';
import { ACTIVE_STATUSES, assertTransition, type RunOutcome, type RunStatus } from './state-machine.ts';

export interface NewRun {
  type: string;
  runbookVersion: string;
  scope: ResolvedScope;
  actor: Actor;
  breakGlass?: unknown;
  reasonCode: string | null;
  reasonText: string | null;
  params: Record<string, unknown>;
  context: Record<string, unknown>;
  owner: { token: string; host: string; pid: number };
}

/** The ops.runs table. Status changes go through `transition`, which checks the state machine. */
export class RunRepository {
  private readonly model: RunModel;

  constructor(private readonly sequelize: Sequelize) {
    this.model = defineRunModel(sequelize);
  }

  /** Creates the run, and its uploaded file (`input`) in the same transaction. */
  async create(run: NewRun, input: CsvInputRows | null = null): Promise<RunRecord> {
    const row = await this.sequelize.transaction(async (transaction) => {
      const created = await this.model.create(this.newRow(run), { transaction });
      if (input) {
        await storeRunInput(
          (sql, bind) => this.sequelize.query(sql, { bind, transaction }),
          String(created.get('id')),
          input,
        );
      }
      return created;
    });
    return this.get(String(row.get('id')));
  }

  private newRow(run: NewRun): Partial<RunRow> {
    return {
      type: run.type,
      runbook_version: run.runbookVersion,
      scope: run.scope,
      scope_kind: run.scope.kind,
      scope_tenant_id: run.scope.kind === 'tenant' ? String(run.scope.tenantId) : null,
      actor: run.actor,
      actor_label: actorLabel(run.actor),
      break_glass: run.breakGlass ?? null,
      reason_code: run.reasonCode,
      reason_text: run.reasonText,
      params: run.params,
      context: run.context,
      owner: run.owner,
      status: 'queued',
      outcome: 'pending',
    };
  }

  /** Throws NotFoundError. */
  async get(id: string): Promise<RunRecord> {
    if (!/^\d{1,19}$/.test(id)) throw new NotFoundError(`run ${id} does not exist`, 'id');
    const row = await this.model.findByPk(id, { raw: true });
    if (!row) throw new NotFoundError(`run ${id} does not exist`, 'id');
    return toRunRecord(row as unknown as RunRow);
  }

  /** One page of runs, filtered and sorted (newest first by default). Throws InputError (cursor). */
  async list(filter: RunListFilter): Promise<Page<RunRecord>> {
    const page = await keysetPage(
      async (sql, bind) => (await this.sequelize.query(sql, { bind }))[0] as Record<string, unknown>[],
      runListSpec(filter),
      { ...filter, direction: filter.direction ?? 'desc' },
    );
    return { ...page, items: page.items.map((row) => toRunRecord(row as unknown as RunRow)) };
  }

  async listActive(): Promise<RunRecord[]> {
    const rows = (await this.model.findAll({
      where: { status: [...ACTIVE_STATUSES] },
      order: [['id', 'ASC']],
      raw: true,
    })) as unknown as RunRow[];
    return rows.map(toRunRecord);
  }

  /** The newest run of each runbook type. */
  async latestByType(): Promise<Map<string, RunRecord>> {
    const [rows] = await this.sequelize.query(
      'SELECT DISTINCT ON (type) * FROM ops.runs ORDER BY type, id DESC',
    );
    return new Map((rows as RunRow[]).map((r) => [r.type, toRunRecord(r)]));
  }

  /**
   * Moves a run along the state machine. The update only applies if the run is still in the status
   * we read, so two writers (the owner and a reaper) cannot both win; returns false if it lost.
   */
  async transition(
    run: Pick<RunRecord, 'id' | 'status'>,
    to: RunStatus,
    outcome: RunOutcome,
    changes: { summary?: Summary; contextPatch?: Record<string, unknown> } = {},
  ): Promise<boolean> {
    assertTransition(run.id, run.status, to, outcome);
    const [moved] = await this.sequelize.query(
      `UPDATE ops.runs
          SET status = $3, outcome = $4,
              summary = COALESCE($5::jsonb, summary),
              context = context || COALESCE($6::jsonb, '{}'::jsonb),
              requested_action = CASE WHEN $3 = 'completed' OR $3 = 'running' THEN NULL ELSE requested_action END,
              started_at = CASE WHEN $3 = 'running' THEN COALESCE(started_at, now()) ELSE started_at END,
              finished_at = CASE WHEN $3 = 'completed' THEN now() ELSE finished_at END,
              heartbeat_at = now(), updated_at = now()
        WHERE id = $1 AND status = $2
        RETURNING id`,
      {
        bind: [
          run.id,
          run.status,
          to,
          outcome,
          changes.summary ? JSON.stringify(changes.summary) : null,
          changes.contextPatch ? JSON.stringify(changes.contextPatch) : null,
        ],
      },
    );
    return (moved as unknown[]).length > 0;
  }

  /** Progress, checkpoint and heartbeat after a chunk. Returns the operator's pending request. */
  async recordProgress(
    id: string,
    progress: RunProgress,
    contextPatch: Record<string, unknown>,
  ): Promise<'pause' | 'cancel' | null> {
    const [rows] = await this.sequelize.query(
      `UPDATE ops.runs SET progress = $2::jsonb, context = context || $3::jsonb,
              heartbeat_at = now(), updated_at = now()
        WHERE id = $1 RETURNING requested_action`,
      { bind: [id, JSON.stringify(progress), JSON.stringify(contextPatch)] },
    );
    return ((rows as { requested_action: 'pause' | 'cancel' | null }[])[0]?.requested_action ?? null) as
      | 'pause'
      | 'cancel'
      | null;
  }

  async heartbeat(id: string): Promise<'pause' | 'cancel' | null> {
    const [rows] = await this.sequelize.query(
      'UPDATE ops.runs SET heartbeat_at = now() WHERE id = $1 RETURNING requested_action',
      { bind: [id] },
    );
    return (rows as { requested_action: 'pause' | 'cancel' | null }[])[0]?.requested_action ?? null;
  }

  async patchContext(id: string, contextPatch: Record<string, unknown>): Promise<void> {
    await this.sequelize.query(
      'UPDATE ops.runs SET context = context || $2::jsonb, updated_at = now() WHERE id = $1',
      { bind: [id, JSON.stringify(contextPatch)] },
    );
  }

  /**
   * Makes `owner` the owner of a paused run. The caller holds the run's locks already, so no other
   * daemon can adopt it at the same time; the status condition guards against a run that moved on.
   */
  async adopt(id: string, owner: { token: string; host: string; pid: number }): Promise<boolean> {
    const [rows] = await this.sequelize.query(
      `UPDATE ops.runs SET owner = $2::jsonb, heartbeat_at = now(), updated_at = now()
        WHERE id = $1 AND status = 'paused' RETURNING id`,
      { bind: [id, JSON.stringify(owner)] },
    );
    return (rows as unknown[]).length > 0;
  }

  async requestAction(id: string, action: 'pause' | 'cancel' | null): Promise<void> {
    await this.sequelize.query(
      'UPDATE ops.runs SET requested_action = $2, updated_at = now() WHERE id = $1',
      {
        bind: [id, action],
      },
    );
  }
}
