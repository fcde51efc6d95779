import type { ResolvedScope, Summary } from '@ops/runbook-sdk';
import { DataTypes, type Model, type ModelStatic, type Sequelize } from 'sequelize';
import type { RunOutcome, RunStatus } from './state-machine.ts';

/** Who started a run: an operator, or the platform itself (`system:cli`, `system:schedule`). */
export type Actor =
  | { kind: 'user'; id: string; email: string; name?: string }
  | {
      kind: 'system';
      label: 'system:cli' | 'system:schedule';
      user?: string;
      host?: string;
      /** The schedule that started it (`system:schedule`), so its owner hears how it ended. */
      scheduleId?: string;
    };

export function actorLabel(actor: Actor): string {
  return actor.kind === 'user' ? actor.email : actor.label;
}

export interface RunFailure {
  tenantId: number | null;
  tenantExternalId: string | null;
  errorClass: string;
  message: string;
  chunk?: { afterId: string | null; lastId: string };
  at: string;
}

export interface RunProgress {
  processed: number;
  total: number;
  updated: number;
  rowsPerSecond: number;
  etaSeconds: number | null;
  /** Every id up to here is done (the run's checkpoint). */
  cursor: string | null;
  /** Why the workers wait (database health, write budget), or null while they write. */
  throttled?: string | null;
  /** Items per chunk the optimiser chose last, and this process's workers on the run. */
  chunkSize?: number;
  workers?: number;
}

/** The run record as every caller sees it (CLI JSON, API). Times are ISO-8601 strings. */
export interface RunRecord {
  id: string;
  type: string;
  runbookVersion: string;
  scope: ResolvedScope;
  status: RunStatus;
  outcome: RunOutcome;
  actor: Actor;
  actorLabel: string;
  breakGlass: unknown;
  reasonCode: string | null;
  reasonText: string | null;
  params: Record<string, unknown>;
  summary: Summary;
  context: Record<string, unknown>;
  progress: Partial<RunProgress>;
  requestedAction: 'pause' | 'cancel' | null;
  heartbeatAt: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  updatedAt: string;
}

export interface RunRow {
  id: string;
  type: string;
  runbook_version: string;
  scope: ResolvedScope;
  scope_kind: 'all' | 'tenant';
  scope_tenant_id: string | null;
  status: RunStatus;
  outcome: RunOutcome;
  actor: Actor;
  actor_label: string;
  break_glass: unknown;
  reason_code: string | null;
  reason_text: string | null;
  params: Record<string, unknown>;
  summary: Summary;
  context: Record<string, unknown>;
  progress: Partial<RunProgress>;
  requested_action: 'pause' | 'cancel' | null;
  owner: unknown;
  heartbeat_at: Date | null;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
  updated_at: Date;
}

export type RunModel = ModelStatic<Model<RunRow, Partial<RunRow>>>;

export function defineRunModel(sequelize: Sequelize): RunModel {
  return sequelize.define<Model<RunRow, Partial<RunRow>>>(
    'Run',
    {
      id: { type: DataTypes.BIGINT, primaryKey: true, autoIncrement: true },
      type: DataTypes.TEXT,
      runbook_version: DataTypes.TEXT,
      scope: DataTypes.JSONB,
      scope_kind: DataTypes.TEXT,
      scope_tenant_id: DataTypes.BIGINT,
      status: DataTypes.TEXT,
      outcome: DataTypes.TEXT,
      actor: DataTypes.JSONB,
      actor_label: DataTypes.TEXT,
      break_glass: DataTypes.JSONB,
      reason_code: DataTypes.TEXT,
      reason_text: DataTypes.TEXT,
      params: DataTypes.JSONB,
      summary: DataTypes.JSONB,
      context: DataTypes.JSONB,
      progress: DataTypes.JSONB,
      requested_action: DataTypes.TEXT,
      owner: DataTypes.JSONB,
      heartbeat_at: DataTypes.DATE,
      created_at: DataTypes.DATE,
      started_at: DataTypes.DATE,
      finished_at: DataTypes.DATE,
      updated_at: DataTypes.DATE,
    },
    { schema: 'ops', tableName: 'runs', timestamps: false },
  );
}

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

export function toRunRecord(row: RunRow): RunRecord {
  return {
    id: String(row.id),
    type: row.type,
    runbookVersion: row.runbook_version,
    scope: row.scope,
    status: row.status,
    outcome: row.outcome,
    actor: row.actor,
    actorLabel: row.actor_label,
    breakGlass: row.break_glass ?? null,
    reasonCode: row.reason_code,
    reasonText: row.reason_text,
    params: row.params ?? {},
    summary: row.summary ?? {},
    context: row.context ?? {},
    progress: row.progress ?? {},
    requestedAction: row.requested_action,
    heartbeatAt: iso(row.heartbeat_at),
    createdAt: row.created_at.toISOString(),
    startedAt: iso(row.started_at),
    finishedAt: iso(row.finished_at),
    updatedAt: row.updated_at.toISOString(),
  };
}
