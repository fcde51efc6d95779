import { alertsRouter } from './routers/alerts.ts';
import { approvalsRouter } from './routers/approvals.ts';
import { auditRouter } from './routers/audit.ts';
import { breakGlassRouter } from './routers/break-glass.ts';
import { meRouter } from './routers/me.ts';
import { notificationsRouter } from './routers/notifications.ts';
import { runbooksRouter } from './routers/runbooks.ts';
import { runsRouter } from './routers/runs.ts';
import { schedulesRouter } from './routers/schedules.ts';
import { tenantsRouter } from './routers/tenants.ts';
import { router } from './trpc.ts';

export const appRouter = router({
  me: meRouter,
  runbooks: runbooksRouter,
  runs: runsRouter,
  tenants: tenantsRouter,
  breakGlass: breakGlassRouter,
  notifications: notificationsRouter,
  audit: auditRouter,
  alerts: alertsRouter,
  schedules: schedulesRouter,
  approvals: approvalsRouter,
});

/** The console imports this type, never server code. */
export type AppRouter = typeof appRouter;
