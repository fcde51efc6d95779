import type http from 'node:http';
import { type Alerting, createAlerting } from './alerts/index.ts';
import { createApiQueryLimits } from './api/index.ts';
import { startBackgroundLoop } from './background-loop.ts';
import type { OpsConfig } from './config.ts';
import { newDaemonId } from './daemon-identity.ts';
import { freePort } from './db/embedded.ts';
import { openHealthCheck } from './db/health-check.ts';
import { createOpsServer } from './http/index.ts';
import { PLATFORM_CAPABILITIES } from './identity/capabilities.ts';
import type { Identity } from './identity/index.ts';
import { NotificationStore } from './notifications/index.ts';
import {
  type Logger,
  lineLog,
  linesLogger,
  metrics,
  silentLogger,
  startMetricsListener,
} from './observability/index.ts';
import { openIdentity } from './open-identity.ts';
import { type Ops, openOps } from './ops.ts';
import { dropExpiredJournals } from './runs/revert/index.ts';
import { createScheduling, type Scheduling } from './schedules/index.ts';
import { DEFAULT_SEED_OPTIONS, seedDemoData } from './seed/index.ts';

export interface DaemonOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** Seed demo data on first start and make sure the demo accounts exist. */
  demo?: boolean;
  /** Structured diagnostics (observability/logger.ts); without it, lines go to `log`, or nowhere. */
  logger?: Logger;
  log?: (message: string) => void;
  /** How often interrupted runs and expired break-glass are swept up. */
  sweepMs?: number;
}

export interface Daemon {
  url: string;
  ops: Ops;
  identity: Identity;
  notifications: NotificationStore;
  alerting: Alerting;
  scheduling: Scheduling;
  server: http.Server;
  /** OPS_METRICS_PORT's listener, when set. */
  metricsServer: http.Server | null;
  demoAccounts: { email: string; plane: string; capabilities: string[] }[];
  /** Stops accepting, lets running runs stop after their chunk (left paused), closes everything. */
  stop(): Promise<void>;
}

/** What `ops-daemon serve` runs: database, identity, HTTP server and the periodic sweeps. */
export async function startDaemon(config: OpsConfig, options: DaemonOptions): Promise<Daemon> {
  const logger = options.logger ?? (options.log ? linesLogger(options.log) : silentLogger());
  const log = options.log ?? lineLog(logger);
  const port = options.port === 0 ? await freePort() : options.port;
  const url = config.publicUrl ?? `http://${options.host}:${port}`;
  // Metrics are exported (own listener or /system/metrics): they count from the start. Otherwise
  // prom-client is never loaded and every recording is a no-op.
  if (config.metrics.port !== undefined || config.metrics.token !== undefined) await metrics.enableMetrics();
  const ops = await openOps(config, { logger, log: options.log });
  const identity = await openIdentity(ops, url, lineLog(logger, { component: 'identity' }));
  const notifications = new NotificationStore(ops.db.pool);
  // Tells this daemon's leases, attempts and claimed ticks apart from another's, even in one process.
  const daemonId = newDaemonId();
  const alerting = createAlerting({
    pool: ops.db.pool,
    runs: ops.runs,
    audit: ops.audit,
    notifications,
    config,
    publicUrl: url,
    runbookTitle: (id) => ops.registry.runbooks.get(id)?.title ?? null,
    daemonId,
    log,
    logger: logger.child({ component: 'alerts' }),
  });
  const scheduling = createScheduling({
    pool: ops.db.pool,
    service: ops.service,
    announcer: alerting.announcer,
    audit: ops.audit,
    daemonId,
    syncMs: config.scheduleSyncMs,
    log: options.log ?? lineLog(logger, { component: 'scheduler' }),
  });

  let demoAccounts: Daemon['demoAccounts'] = [];
  if (options.demo) {
    const { rows } = await ops.db.pool.query('SELECT count(*)::int AS n FROM public.tenants');
    if (rows[0].n === 0) {
      log('first start: seeding demo data');
      await seedDemoData(ops.db.pool, DEFAULT_SEED_OPTIONS);
    }
    demoAccounts = await identity.ensureDemoAccounts(config.demoPassword);
  }
  for (const run of await ops.service.reapInterrupted()) {
    log(`run ${run.id} was interrupted (its process stopped); marked completed/failed`);
  }
  await alerting.start();
  const stopAnnouncing = ops.service.onRunFinished((run) => alerting.announcer.runFinished(run));
  // Four-eyes approval: approvers hear of each request (in the app and at every destination), the
  // requester of its decision.
  const stopApprovalNews = ops.approvals.onChange(async (event, request) => {
    if (event === 'requested') {
      const approvers = await ops.approvals.store.holdersOf(PLATFORM_CAPABILITIES.runbooksApprove);
      await alerting.announcer.approvalRequested(request, approvers);
    } else {
      await notifications.create(request.requester.id, {
        kind: `approval.${request.status}`,
        title: `Run request ${request.id} ${request.status} by ${request.decidedBy?.email ?? 'another operator'}`,
        body: request.decisionComment ?? '',
      });
    }
  });

  const allowed = new Set([new URL(url).origin, `http://${options.host}:${port}`]);
  // Its own connection: /healthz answers while preflights and runs keep the daemon's pool busy.
  const health = openHealthCheck(ops.db.url);
  const server = createOpsServer({
    services: {
      ops,
      identity,
      notifications,
      alerts: alerting.service,
      schedules: scheduling.service,
      limits: createApiQueryLimits(config.preflightLimits),
    },
    health,
    allowedOrigins: () => allowed,
    metricsToken: config.metrics.token,
    log,
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, options.host, resolve);
  });
  // One pass, then an explicit idle wait (never two passes at once): an idle daemon costs its
  // database a few statements per sweep. A task that fails logs `sweep.failed` naming it (the
  // reaper's own actions log `run.reaped`).
  const sweepLog = options.log ?? lineLog(logger, { component: 'sweep' });
  const sweepFailed = (task: string) => (e: unknown) =>
    sweepLog(`${task}: ${(e as Error).message}`, { event: 'sweep.failed', level: 'warn', task });
  const sweep = startBackgroundLoop({
    name: 'sweep',
    pass: async () => {
      await Promise.all([
        ops.service.reapInterrupted().catch(sweepFailed('reaper')),
        // Idle workers join runs other processes own (exec in a pipeline, another daemon).
        ops.service.assistRuns().catch(sweepFailed('assist')),
        identity.expireBreakGlass().catch(sweepFailed('break-glass expiry')),
        alerting.announcer.announceMissed().catch(sweepFailed('alerts sweep')),
        // Revert journals older than OPS_JOURNAL_DAYS are dropped, run by run, each audited.
        dropExpiredJournals({ pool: ops.db.pool, audit: ops.audit }, config.journalDays).catch(
          sweepFailed('journal retention'),
        ),
        ops.approvals.expireDue().catch(sweepFailed('approval expiry')),
      ]);
      return undefined;
    },
    idleMs: options.sweepMs ?? 10_000,
    waitFirst: true,
    log: sweepLog,
  });
  await scheduling.scheduler.start();
  // Its own listener (OPS_METRICS_PORT), on the daemon's host: a scraper never needs the console's port.
  const metricsServer =
    config.metrics.port === undefined
      ? null
      : await startMetricsListener(options.host, config.metrics.port, config.metrics.token);
  if (metricsServer)
    logger.info({ event: 'metrics.listening', port: config.metrics.port }, 'metrics listening');

  let stopped: Promise<void> | undefined;
  return {
    url,
    ops,
    identity,
    notifications,
    alerting,
    scheduling,
    server,
    metricsServer,
    demoAccounts,
    stop() {
      stopped ??= (async () => {
        await sweep.stop();
        metricsServer?.close();
        metricsServer?.closeAllConnections();
        server.close();
        server.closeIdleConnections();
        await scheduling.scheduler.stop(); // no new fires while runs stop
        await ops.service.shutdown();
        stopAnnouncing();
        stopApprovalNews();
        server.closeAllConnections(); // open SSE streams end here
        await alerting.stop(); // attempts under way finish; pending ones wait for the next start
        await identity.close();
        await health.close();
        await ops.close();
      })();
      return stopped;
    },
  };
}
