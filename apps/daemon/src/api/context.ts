import type { AlertsService } from '../alerts/index.ts';
import type { Identity } from '../identity/index.ts';
import type { Principal } from '../identity/principal.ts';
import type { NotificationStore } from '../notifications/index.ts';
import type { Ops } from '../ops.ts';
import type { SchedulesService } from '../schedules/index.ts';
import type { ApiQueryLimits } from './query-limits.ts';

/** What every procedure may use. Built per request by the HTTP layer, or directly by tests. */
export interface ApiServices {
  ops: Ops;
  identity: Identity;
  notifications: NotificationStore;
  alerts: AlertsService;
  schedules: SchedulesService;
  /** This daemon's bounds on exact preflights and estimates (one per daemon, shared by all callers). */
  limits: ApiQueryLimits;
}

export interface ApiContext {
  services: ApiServices;
  principal: Principal | null;
  ip: string | null;
}

/** The request-free constructor, so tests can call procedures without HTTP. */
export function createContextInner(
  services: ApiServices,
  principal: Principal | null,
  ip: string | null = null,
): ApiContext {
  return { services, principal, ip };
}
