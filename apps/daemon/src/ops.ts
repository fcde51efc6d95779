import { ApprovalService } from './approvals/index.ts';
import { AuditLog } from './audit/index.ts';
import type { OpsConfig, WorkConfig } from './config.ts';
import { type Database, openDatabase } from './db/connection.ts';
import { type EmbeddedDatabase, openEmbeddedDatabase } from './db/embedded.ts';
import { migrate } from './db/migrator.ts';
import { type Logger, lineLog, metrics } from './observability/index.ts';
import { ensurePluginRoles } from './plugins/containment/index.ts';
import { loadPlugins, type PluginRegistry, pluginSources } from './plugins/index.ts';
import type { WorkSettings } from './runs/chunk-driver.ts';
import { databaseHealthProbe, type HealthProbe } from './runs/db-health.ts';
import { RunRepository, RunService } from './runs/index.ts';
import { ensureJournal } from './runs/revert/index.ts';

/** Everything a command needs, wired once. */
export interface Ops {
  config: OpsConfig;
  db: Database;
  registry: PluginRegistry;
  runs: RunRepository;
  audit: AuditLog;
  service: RunService;
  /** Four-eyes approval: the gate of interactive and deploy starts, policies and run requests. */
  approvals: ApprovalService;
  /** Closes the pools, and stops the embedded database if this process started it. */
  close(): Promise<void>;
}

export interface OpenOptions {
  migrate?: boolean;
  /** Structured diagnostics (observability/logger.ts); without it, `log` or stderr. */
  logger?: Logger;
  log?: (message: string) => void;
  /** Replaces the database-health probe of chunked work (tests force a throttle with it). */
  healthProbe?: HealthProbe;
  /**
   * false: no plugin is loaded (an empty catalog, no worker thread started), for commands that only
   * read run records (`runs list`, `runs show`); loading them is most of such a command's start.
   */
  plugins?: boolean;
}

/**
 * Connects to DATABASE_URL, or starts/attaches the embedded PostgreSQL in OPS_DATA_DIR, then
 * loads the plugins. Throws DatabaseUnavailableError when the database does not answer.
 */
export async function openOps(config: OpsConfig, options: OpenOptions = {}): Promise<Ops> {
  // The plugins load in worker threads of their own while the database is opened and migrated:
  // for a short command (`runbooks`) they are most of its start.
  const loadingPlugins: Promise<PluginRegistry> =
    options.plugins === false
      ? Promise.resolve({ runbooks: new Map(), unavailable: [] })
      : loadPlugins(pluginSources(config.extraPlugins), {
          limits: config.plugins.limits,
          isolation: config.plugins.isolation,
        });
  const closePlugins = () => loadingPlugins.then((r) => r.close?.()).catch(() => {});
  let embedded: EmbeddedDatabase | undefined;
  let db: Database;
  try {
    let url = config.databaseUrl;
    if (!url) {
      embedded = await openEmbeddedDatabase(config.dataDir);
      url = embedded.url;
    }
    // Every worker holds a connection for its chunk; progress, locks and the API need a few more.
    db = await openDatabase(url, { poolSize: Math.max(6, config.work.workers + 4) });
  } catch (error) {
    await closePlugins();
    await embedded?.stop();
    throw error;
  }
  const unwatchPool = metrics.watchPool('main', db.pool);
  let registry: PluginRegistry;
  try {
    if (options.migrate !== false) await migrate(db.sequelize);
    registry = await loadingPlugins;
  } catch (error) {
    unwatchPool();
    await closePlugins();
    await db.close();
    await embedded?.stop();
    throw error;
  }
  const log = options.log ?? (options.logger ? lineLog(options.logger, {}, 'warn') : undefined);
  if (options.migrate !== false && options.plugins !== false) await ensurePluginRoles(db.pool, registry, log);
  // Reversible runbooks: the before-image journal's triggers on the tables they declare.
  if (options.migrate !== false && options.plugins !== false)
    await ensureJournal(db.pool, registry, options.log);
  const runs = new RunRepository(db.sequelize);
  const audit = new AuditLog(db.pool);
  const service = new RunService({
    db,
    registry,
    runs,
    audit,
    work: workSettings(config.work, options.healthProbe ?? databaseHealthProbe(db.pool, config.work.health)),
    heartbeatMs: config.heartbeatMs,
    leaseMs: config.leaseMs,
    outageMs: config.dbOutageMs,
    hookTimeoutMs: config.plugins.limits.hookTimeoutMs,
    logger: options.logger,
    log: options.log,
  });
  const approvals = new ApprovalService({
    pool: db.pool,
    service,
    audit,
    ttlMs: config.approvalTtlMs,
    log: options.log,
  });
  return {
    config,
    db,
    registry,
    runs,
    audit,
    service,
    approvals,
    async close() {
      await registry.close?.();
      unwatchPool();
      await db.close();
      await embedded?.stop();
    },
  };
}

function workSettings(work: WorkConfig, health: HealthProbe): WorkSettings {
  return {
    workers: work.workers,
    sizing: { targetMs: work.chunkTargetMs, min: work.chunkMin, max: work.chunkMax, fixed: work.chunkSize },
    writeBudget: work.writeBudget,
    chunkTimeoutMs: work.chunkTimeoutMs,
    health,
  };
}
