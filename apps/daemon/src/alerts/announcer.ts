import { describeScope, type ResolvedScope } from '@ops/runbook-sdk';
import type pg from 'pg';
import type { NotificationStore } from '../notifications/index.ts';
import type { RunRecord, RunRepository } from '../runs/index.ts';
import type { DeliveryStore, NewDelivery, Queryable } from './delivery-store.ts';
import type { Destination, DestinationStore } from './destination-store.ts';
import {
  type AlertEvent,
  type AlertMessage,
  approvalRequestedMessage,
  driftMessage,
  eventForOutcome,
  runFinishedMessage,
} from './messages.ts';

export interface AnnouncerDeps {
  pool: pg.Pool;
  runs: RunRepository;
  destinations: DestinationStore;
  deliveries: DeliveryStore;
  notifications: NotificationStore;
  publicUrl: string;
  runbookTitle: (runbookId: string) => string | null;
  /** Whether a succeeded run notifies its operator in the app (OPS_NOTIFY_SUCCESS_IN_APP; off by default). */
  notifySuccessInApp: boolean;
  /** Called after deliveries were enqueued (the worker looks at once). */
  onEnqueued: () => void;
}

/** How far back the sweep looks for finished runs nobody announced (a CLI run, a crash). */
const SWEEP_WINDOW = '1 day';
const SWEEP_BATCH = 20;

/** Which destinations hear of an event: every enabled one, success only where it was asked for. */
function wants(destination: Destination, event: AlertEvent): boolean {
  return destination.enabled && (event !== 'run.succeeded' || destination.notifyOnSuccess);
}

/** Counts as operators read them: 5,815, not 5815 (one locale, whatever the server's). */
const formatCount = (n: number) => n.toLocaleString('en-US');
const plural = (n: number, word: string) => `${formatCount(n)} ${word}${n === 1 ? '' : 's'}`;

/**
 * Turns a finished run (or a drifted preflight) into an in-app notification for the operator
 * concerned and one delivery per destination. A run is announced once, by whichever process
 * claims it first; the claim, the notification and the deliveries commit together.
 */
export class Announcer {
  constructor(private readonly deps: AnnouncerDeps) {}

  /** Returns false when the run was announced already (or has not ended). */
  async runFinished(run: RunRecord): Promise<boolean> {
    if (run.status !== 'completed') return false;
    const event = eventForOutcome(run.outcome);
    const destinations = event ? (await this.deps.destinations.list()).filter((d) => wants(d, event)) : [];
    const recipient = await this.operatorOf(run);
    const announced = await this.inTransaction(async (db) => {
      const claim = await db.query(
        'INSERT INTO ops.run_announcements (run_id) VALUES ($1) ON CONFLICT DO NOTHING',
        [run.id],
      );
      if (claim.rowCount !== 1) return false;
      if (recipient && this.notifiesInApp(run)) {
        await this.deps.notifications.create(recipient, this.notificationFor(run), db);
      }
      if (event && destinations.length) {
        const message = runFinishedMessage(run, event, {
          runbookTitle: this.deps.runbookTitle(run.type),
          publicUrl: this.deps.publicUrl,
        });
        await this.deps.deliveries.enqueue(db, this.deliveriesOf(destinations, event, message, run.id, null));
      }
      return true;
    });
    if (announced && destinations.length) this.deps.onEnqueued();
    return announced;
  }

  /** Announces finished runs that no process announced yet. Returns how many. */
  async announceMissed(): Promise<number> {
    const { rows } = await this.deps.pool.query(
      `SELECT r.id FROM ops.runs r
        WHERE r.status = 'completed' AND r.finished_at > now() - interval '${SWEEP_WINDOW}'
          AND NOT EXISTS (SELECT 1 FROM ops.run_announcements a WHERE a.run_id = r.id)
        ORDER BY r.finished_at LIMIT ${SWEEP_BATCH}`,
    );
    let announced = 0;
    for (const row of rows) {
      if (await this.runFinished(await this.deps.runs.get(String(row.id)))) announced++;
    }
    return announced;
  }

  /** A preflight-mode schedule found rows to repair: every enabled destination and the schedule's owner hear of it. */
  async driftDetected(input: {
    schedule: { id: string; name: string; runbookId: string; ownerId: string | null };
    scope: ResolvedScope;
    preflight: Record<string, unknown>;
    occurrenceId: string;
    slotAt: string;
  }): Promise<void> {
    const event: AlertEvent = 'schedule.drift_detected';
    const destinations = (await this.deps.destinations.list()).filter((d) => wants(d, event));
    const message = driftMessage(input.schedule, input.scope, input.preflight, {
      publicUrl: this.deps.publicUrl,
      slotAt: input.slotAt,
    });
    const ownerId = input.schedule.ownerId;
    await this.inTransaction(async (db) => {
      if (ownerId) {
        await this.deps.notifications.create(
          ownerId,
          { kind: event, title: message.title, body: `schedule "${input.schedule.name}"` },
          db,
        );
      }
      await this.deps.deliveries.enqueue(
        db,
        this.deliveriesOf(destinations, event, message, null, input.occurrenceId),
      );
    });
    if (destinations.length) this.deps.onEnqueued();
  }

  /**
   * A run request waits for approval: every approver but the requester hears of it in the app, and
   * every enabled destination gets a message; both commit together.
   */
  async approvalRequested(
    request: Parameters<typeof approvalRequestedMessage>[0] & { requester: { id: string; email: string } },
    approverIds: readonly string[],
  ): Promise<void> {
    const event: AlertEvent = 'approval.requested';
    const destinations = (await this.deps.destinations.list()).filter((d) => wants(d, event));
    const message = approvalRequestedMessage(request, {
      runbookTitle: this.deps.runbookTitle(request.runbookId),
      publicUrl: this.deps.publicUrl,
    });
    await this.inTransaction(async (db) => {
      for (const id of approverIds) {
        if (id === request.requester.id) continue;
        await this.deps.notifications.create(
          id,
          {
            kind: event,
            title: `Approval requested: run request ${request.id}`,
            body: `${request.requester.email} asks to run ${request.runbookId} on ${describeScope(request.scope)} (${formatCount(request.preflight.affected_count)} affected)`,
          },
          db,
        );
      }
      await this.deps.deliveries.enqueue(db, this.deliveriesOf(destinations, event, message, null, null));
    });
    if (destinations.length) this.deps.onEnqueued();
  }

  private deliveriesOf(
    destinations: Destination[],
    event: AlertEvent,
    message: AlertMessage,
    runId: string | null,
    occurrenceId: string | null,
  ): NewDelivery[] {
    return destinations.map((destination) => ({ destination, event, runId, occurrenceId, message }));
  }

  /** The operator who started the run, or the owner of the schedule that did; null for the CLI. */
  private async operatorOf(run: RunRecord): Promise<string | null> {
    if (run.actor.kind === 'user') return run.actor.id;
    if (!run.actor.scheduleId) return null;
    const { rows } = await this.deps.pool.query(
      "SELECT created_by->>'id' AS id FROM ops.schedules WHERE id = $1",
      [run.actor.scheduleId],
    );
    return (rows[0]?.id as string | undefined) ?? null;
  }

  /** Success is the expected end: the operator hears of it only where asked for. */
  private notifiesInApp(run: RunRecord): boolean {
    return run.outcome !== 'succeeded' || this.deps.notifySuccessInApp;
  }

  private notificationFor(run: RunRecord) {
    const s = run.summary;
    const counts = [
      `updated ${formatCount(s.updated_count ?? 0)} of ${formatCount(s.affected_count ?? 0)}`,
      ...(s.error_count ? [plural(s.error_count, 'error')] : []),
    ].join(', ');
    return {
      kind: `run.${run.outcome}`,
      title: `Run #${run.id} ${run.outcome.replace('_', ' ')}`,
      body: `${run.type} on ${describeScope(run.scope)}: ${counts}`,
      runId: run.id,
    };
  }

  private async inTransaction<T>(fn: (db: Queryable) => Promise<T>): Promise<T> {
    const client = await this.deps.pool.connect();
    try {
      await client.query('BEGIN');
      const result = await fn(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    } finally {
      client.release();
    }
  }
}
