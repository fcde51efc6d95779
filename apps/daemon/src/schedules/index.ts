export { cronSchema, nextFireTimes, timeZoneSchema } from './schedule-rules.ts';
export {
  OCCURRENCE_OUTCOMES,
  type Occurrence,
  type OccurrenceStatus,
  SCHEDULE_MODES,
  type Schedule,
  type ScheduleMode,
} from './schedule-store.ts';
export { Scheduler } from './scheduler.ts';
export {
  type ScheduleCaller,
  type ScheduleInput,
  SchedulesService,
  type ScheduleUpdate,
  type ScheduleView,
} from './schedules-service.ts';
export { createScheduling, type Scheduling, type SchedulingOptions } from './scheduling.ts';
