import cron, { type Logger, type RunCoordinator, type ScheduledTask } from 'node-cron';
import { type BackgroundLoop, startBackgroundLoop } from '../background-loop.ts';
import type { LineLog } from '../observability/index.ts';
import type { Schedule, ScheduleStore } from './schedule-store.ts';

export interface SchedulerDeps {
  store: ScheduleStore;
  fire: (schedule: Schedule, slot: Date) => Promise<void>;
  /** `host:pid`: who claimed or lost a tick. */
  daemonId: string;
  /** How often the schedules are read again, for edits made through another daemon. */
  syncMs: number;
  /** True when the daemon of a `firing` occurrence has provably stopped (see daemonIsGone). */
  isGone: (daemon: string) => boolean;
  log: LineLog;
}

/** node-cron's key is `<task name>:<slot ISO time>`; the name never holds a colon. */
const taskName = (scheduleId: string) => `ops-schedule-${scheduleId}`;

export function slotOfKey(key: string, name: string): Date {
  const slot = new Date(key.slice(name.length + 1));
  if (!key.startsWith(`${name}:`) || Number.isNaN(slot.getTime())) {
    throw new Error(`unexpected node-cron coordination key ${JSON.stringify(key)}`);
  }
  return slot;
}

/**
 * Keeps one node-cron task per enabled schedule in this daemon. Every daemon arms every schedule;
 * node-cron's `distributed` mode asks our coordinator before each fire, and the coordinator's
 * claim (an INSERT … ON CONFLICT DO NOTHING on the occurrences table) lets exactly one daemon
 * through per tick. The others record a skipped occurrence.
 */
export class Scheduler {
  private readonly tasks = new Map<string, { version: number; task: ScheduledTask }>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private loop: BackgroundLoop | null = null;
  private syncing: Promise<void> = Promise.resolve();
  private stopped = false;
  private readonly logger: Logger;

  constructor(private readonly deps: SchedulerDeps) {
    const log = (m: string | Error) => deps.log(`scheduler: ${m instanceof Error ? m.message : m}`);
    this.logger = { info: () => {}, debug: () => {}, warn: log, error: log };
  }

  async start(): Promise<void> {
    this.stopped = false;
    await this.sync();
    // A sync and the reaping of stuck occurrences per syncMs: what schedules cost an idle daemon.
    this.loop = startBackgroundLoop({
      name: 'scheduler sync',
      pass: async () => {
        await this.sync();
        await this.reapStuck();
        return undefined;
      },
      idleMs: this.deps.syncMs,
      waitFirst: true,
      log: this.deps.log,
    });
  }

  /** Ends the occurrences left `firing` by a daemon that stopped mid-fire (see ScheduleStore.reapStuck). */
  private async reapStuck(): Promise<void> {
    for (const o of await this.deps.store.reapStuck(this.deps.isGone)) {
      this.deps.log(
        `scheduler: occurrence ${o.id} of schedule ${o.scheduleId} was stuck firing: ${o.reason}`,
        {
          event: 'schedule.occurrence_reaped',
          level: 'warn',
          schedule_id: o.scheduleId,
          occurrence_id: o.id,
          reason: o.reason,
        },
      );
    }
  }

  /** Re-reads the schedules and re-arms what changed. Serialised: one sync at a time. */
  sync(): Promise<void> {
    this.syncing = this.syncing.catch(() => {}).then(() => this.syncNow());
    return this.syncing;
  }

  private async syncNow(): Promise<void> {
    if (this.stopped) return;
    const enabled = new Map((await this.deps.store.list({ enabledOnly: true })).map((s) => [s.id, s]));
    for (const [id, armed] of this.tasks) {
      if (enabled.get(id)?.version !== armed.version) {
        await armed.task.destroy();
        this.tasks.delete(id);
      }
    }
    for (const schedule of enabled.values()) {
      if (!this.tasks.has(schedule.id)) this.arm(schedule);
    }
  }

  private arm(schedule: Schedule): void {
    const { store, daemonId } = this.deps;
    const name = taskName(schedule.id);
    const coordinator: RunCoordinator = {
      shouldRun: (key) => store.claim(schedule.id, schedule.version, slotOfKey(key, name), daemonId),
    };
    const task = cron.createTask(schedule.cron, (ctx) => this.track(this.deps.fire(schedule, ctx.date)), {
      name,
      timezone: schedule.timezone,
      distributed: true,
      runCoordinator: coordinator,
      // A tick that comes while the last one is still firing (a long preflight) is dropped here.
      noOverlap: true,
      logger: this.logger,
    });
    task.on('execution:skipped', (ctx) => {
      if (ctx.reason === 'not-elected') {
        this.track(store.recordLostTick(schedule.id, ctx.date, daemonId));
      } else {
        this.deps.log(
          `scheduler: schedule ${schedule.id} skipped the tick at ${ctx.date.toISOString()} (${ctx.reason})`,
          {
            event: 'schedule.skipped',
            schedule_id: schedule.id,
            runbook: schedule.runbookId,
            slot: ctx.date.toISOString(),
            reason: ctx.reason,
          },
        );
      }
    });
    this.tasks.set(schedule.id, { version: schedule.version, task });
    void task.start();
  }

  private track<T>(work: Promise<T>): Promise<T | undefined> {
    const tracked = work.catch((e) => {
      this.deps.log(`scheduler: ${(e as Error).message}`, { event: 'schedule.failed', level: 'warn' });
      return undefined;
    });
    this.inFlight.add(tracked);
    void tracked.finally(() => this.inFlight.delete(tracked));
    return tracked;
  }

  /** Stops every task and waits for fires under way (a run they started goes on in the run service). */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop?.stop();
    this.loop = null;
    await this.syncing.catch(() => {});
    for (const { task } of this.tasks.values()) await task.destroy();
    this.tasks.clear();
    await Promise.allSettled([...this.inFlight]);
  }

  /** The armed schedule ids (for tests and diagnostics). */
  armed(): string[] {
    return [...this.tasks.keys()];
  }
}
