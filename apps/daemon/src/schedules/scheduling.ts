import type pg from 'pg';
import type { Announcer } from '../alerts/index.ts';
import type { AuditLog } from '../audit/index.ts';
import { daemonIsGone } from '../daemon-identity.ts';
import type { LineLog } from '../observability/index.ts';
import type { RunService } from '../runs/index.ts';
import { ScheduleFirer } from './schedule-firer.ts';
import { ScheduleStore } from './schedule-store.ts';
import { Scheduler } from './scheduler.ts';
import { SchedulesService } from './schedules-service.ts';

export interface SchedulingOptions {
  pool: pg.Pool;
  service: RunService;
  announcer: Announcer;
  audit: AuditLog;
  daemonId: string;
  syncMs: number;
  /** The daemon's log; the lines an operator alerts on carry an `event` (schedule.fired …). */
  log: LineLog;
  /** Whether a daemon has provably stopped; daemonIsGone unless a test says otherwise. */
  isGone?: (daemonId: string) => boolean;
}

export interface Scheduling {
  service: SchedulesService;
  scheduler: Scheduler;
}

/** Wires the schedule pieces of one daemon together; `scheduler.start()` arms them. */
export function createScheduling(o: SchedulingOptions): Scheduling {
  const store = new ScheduleStore(o.pool);
  const firer = new ScheduleFirer({
    store,
    service: o.service,
    announcer: o.announcer,
    audit: o.audit,
    log: o.log,
  });
  const scheduler = new Scheduler({
    store,
    fire: (schedule, slot) => firer.fire(schedule, slot),
    daemonId: o.daemonId,
    syncMs: o.syncMs,
    isGone: o.isGone ?? daemonIsGone,
    log: o.log,
  });
  const service = new SchedulesService({
    store,
    service: o.service,
    pool: o.pool,
    audit: o.audit,
    onChanged: () => scheduler.sync(),
  });
  return { service, scheduler };
}
