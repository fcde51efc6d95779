import path from 'node:path';
import { z } from 'zod';
import { type PrivateHostAllowance, parsePrivateHostAllowance } from './alerts/address-policy.ts';
import { recipientsSchema, smtpUrlSchema, webhookUrlSchema } from './alerts/destination-rules.ts';
import { deployIdentitySchema } from './approvals/policy.ts';
import { LOG_LEVELS, type LogLevel } from './observability/log-levels.ts';
import { RegisteredPluginsError, readRegisteredPlugins } from './plugins/registered.ts';
import type { SandboxLimits } from './plugins/sandbox/index.ts';
import type { HealthLimits } from './runs/db-health.ts';

/** Environment, parsed once at start-up; a bad value stops the daemon naming the variable. */
const EnvSchema = z.object({
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
    .optional(),
  OPS_DATA_DIR: z.string().min(1).default('./.ops-data'),
  OPS_PORT: z.coerce.number().int().min(1).max(65535).default(7400),
  OPS_HOST: z.string().min(1).default('127.0.0.1'),
  OPS_PLUGINS: z.string().optional(),
  OPS_HEARTBEAT_MS: z.coerce.number().int().min(100).default(2000),
  // A run's lease (locks/run-lease.ts): renewed every heartbeat; a run whose lease ran out is
  // taken over (reaped, or adopted). Long enough to ride out a slow heartbeat or a busy database.
  OPS_LEASE_MS: z.coerce.number().int().min(300).max(3_600_000).default(30_000),
  // How long a run waits for a database that went away before it gives up (exec then exits 5).
  OPS_DB_OUTAGE_MS: z.coerce.number().int().min(0).max(86_400_000).default(60_000),
  // How long a reversible run's before-image journal is kept (runs/revert): then it is dropped, per
  // run, with an audit event, and the run can no longer be reverted.
  OPS_JOURNAL_DAYS: z.coerce.number().int('must be a whole number of days').min(1).max(3650).default(30),
  // Chunked work (runs/chunk-driver.ts). OPS_CHUNK_SIZE fixes the chunk size and turns the
  // optimiser off; without it chunks adapt to OPS_CHUNK_TARGET_MS within OPS_CHUNK_MIN..MAX items.
  OPS_CHUNK_SIZE: z.coerce.number().int().min(1).max(1_000_000).optional(),
  OPS_WORKERS: z.coerce.number().int().min(1).max(64).default(2),
  OPS_CHUNK_TARGET_MS: z.coerce.number().int().min(10).max(60_000).default(200),
  OPS_CHUNK_MIN: z.coerce.number().int().min(1).max(1_000_000).default(100),
  OPS_CHUNK_MAX: z.coerce.number().int().min(1).max(1_000_000).default(50_000),
  // A chunk running longer than this is a plugin fault (hung plugin or statement): the run fails.
  OPS_CHUNK_TIMEOUT_MS: z.coerce.number().int().min(100).max(3_600_000).default(60_000),
  // Plugin code runs in worker threads (plugins/sandbox): a preflight, estimate, existence check or
  // item count taking longer is stopped, and so is a worker whose heap outgrows OPS_PLUGIN_MEMORY_MB.
  OPS_PREFLIGHT_TIMEOUT_MS: z.coerce.number().int().min(100).max(3_600_000).default(120_000),
  OPS_PLUGIN_MEMORY_MB: z.coerce.number().int().min(16).max(16_384).default(256),
  // A runbook's lifecycle hook (afterComplete, afterError) taking longer is stopped and recorded;
  // the run's outcome stays as it was.
  OPS_HOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(3_600_000).default(30_000),
  // A benchmark and debugging switch, not a deployment option: `off` runs plugin code on the daemon's
  // own thread without any limit, so `npm run bench` can measure what isolation costs.
  OPS_PLUGIN_ISOLATION: z.enum(['on', 'off']).default('on'),
  // Rows per second for all workers of a run together, in every daemon; unset: no cap.
  OPS_WRITE_BUDGET: z.coerce.number().int().min(1).optional(),
  // Database-health throttling (runs/db-health.ts): workers wait between chunks past these.
  OPS_THROTTLE_CONNECTIONS: z.coerce.number().gt(0).max(1).default(0.9),
  OPS_THROTTLE_REPLICATION_LAG_S: z.coerce.number().positive().default(10),
  OPS_THROTTLE_AUTOVACUUM_S: z.coerce.number().positive().default(60),
  // The API's exact preflights and estimates (api/shared-flights.ts): distinct ones running at once
  // per daemon, and how many more may wait before a caller is refused with 429 (identical
  // concurrent requests share one query and count once).
  OPS_PREFLIGHT_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(2),
  OPS_PREFLIGHT_QUEUE: z.coerce.number().int().min(0).max(1000).default(8),
  OPS_PUBLIC_URL: z.string().url('must be a URL like https://ops.example.com').optional(),
  OPS_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  OPS_DEMO_PASSWORD: z.string().min(8, 'must be at least 8 characters').default('ops-demo-password'),
  OPS_BREAKGLASS_MINUTES: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 60)
    .default(30),
  OPS_SMTP_URL: smtpUrlSchema.optional(),
  OPS_ALERT_EMAILS: z
    .string()
    .transform((s) =>
      s
        .split(',')
        .map((e) => e.trim())
        .filter(Boolean),
    )
    .pipe(recipientsSchema)
    .optional(),
  OPS_TEAMS_WEBHOOK_URL: webhookUrlSchema.optional(),
  // The wait after a failed alert delivery (doubling after each further one) and how often a
  // daemon picks up schedule edits made through another daemon. Short in tests.
  OPS_ALERT_RETRY_MS: z.coerce.number().int().min(10).default(30_000),
  OPS_SCHEDULE_SYNC_MS: z.coerce.number().int().min(50).default(10_000),
  // Alert destinations connect to public addresses only; this allows private ones too: `true`
  // (tests, the demo) or a list of ranges (a mail relay at 10.0.0.25/32).
  OPS_ALERT_ALLOW_PRIVATE_HOSTS: z
    .string()
    .transform((text, ctx) => {
      const parsed = parsePrivateHostAllowance(text);
      if ('problem' in parsed) {
        ctx.addIssue({ code: 'custom', message: parsed.problem });
        return z.NEVER;
      }
      return parsed.allowance;
    })
    .optional(),
  // In-app notifications of runs that succeeded: off unless asked for (failures, part-successes and
  // cancels always notify the operator concerned). Alert destinations have their own switch.
  OPS_NOTIFY_SUCCESS_IN_APP: z.enum(['true', 'false'], "must be 'true' or 'false'").default('false'),
  // The key material alert secrets are sealed with (alerts/secret-box.ts); OPS_SECRET (or the
  // data folder's secret) when unset.
  OPS_ALERT_SECRET_KEY: z.string().min(32, 'must be at least 32 characters').optional(),
  // Four-eyes approval (approvals/): how long a run request waits for a decision, and an approval
  // for its one start. A duration: `90s`, `30m`, `1h`, `2d` (a bare number counts seconds).
  OPS_APPROVAL_TTL: z
    .string()
    .transform((text, ctx) => {
      const ms = parseDuration(text);
      if (ms === null || ms < 1000 || ms > 7 * 86_400_000) {
        ctx.addIssue({ code: 'custom', message: 'must be a duration from 1s to 7d, like 90s, 30m or 1h' });
        return z.NEVER;
      }
      return ms;
    })
    .optional(),
  // Who a deploy is (`exec`): an approval policy may exempt this name. Unset: `$USER@host`.
  OPS_DEPLOY_IDENTITY: deployIdentitySchema.optional(),
  // Diagnostic logs (observability/logger.ts): JSON lines on stderr unless it is a terminal.
  // Unset: `info` for serve, `warn` for the other commands (their output is for a person or a pipeline).
  OPS_LOG_LEVEL: z.enum(LOG_LEVELS, `must be one of ${LOG_LEVELS.join(', ')}`).optional(),
  // Prometheus metrics: a listener of its own (GET /metrics on OPS_HOST), and/or /system/metrics on
  // the main server, which exists only with a token (Authorization: Bearer <token>).
  OPS_METRICS_PORT: z.coerce.number().int().min(1).max(65535).optional(),
  OPS_METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
});

const DURATION_UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `90s`, `30m`, `1h`, `2d`, `500ms`, or a bare number of seconds; null when it is none of these. */
export function parseDuration(text: string): number | null {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/.exec(text);
  if (!match) return null;
  return Number(match[1]) * DURATION_UNIT_MS[match[2] ?? 's']!;
}

export interface OpsConfig {
  databaseUrl: string | undefined;
  dataDir: string;
  port: number;
  host: string;
  extraPlugins: string[];
  heartbeatMs: number;
  leaseMs: number;
  /** OPS_JOURNAL_DAYS: days a run's revert journal is kept. */
  journalDays: number;
  dbOutageMs: number;
  work: WorkConfig;
  /** Limits of plugin code, and whether it runs isolated (always, but for benchmarks). */
  plugins: { limits: SandboxLimits; isolation: boolean };
  /** Exact preflights (and, separately, estimates) the API runs at once, and how many may wait. */
  preflightLimits: { concurrency: number; queue: number };
  publicUrl: string | undefined;
  secret: string | undefined;
  demoPassword: string;
  breakGlassMinutes: number;
  smtpUrl: string | undefined;
  alertEmails: string[];
  teamsWebhookUrl: string | undefined;
  alertRetryMs: number;
  scheduleSyncMs: number;
  /** OPS_ALERT_ALLOW_PRIVATE_HOSTS; undefined when unset (no private address allowed). */
  alertPrivateHosts: PrivateHostAllowance | undefined;
  alertSecretKey: string | undefined;
  /** OPS_NOTIFY_SUCCESS_IN_APP: whether a succeeded run notifies its operator in the app. */
  notifySuccessInApp: boolean;
  /** OPS_APPROVAL_TTL in milliseconds (default 1 h): a request's wait for a decision, and an approval's life. */
  approvalTtlMs: number;
  /** OPS_DEPLOY_IDENTITY, or undefined (exec then names itself `$USER@host`). */
  deployIdentity: string | undefined;
  /** OPS_LOG_LEVEL; undefined when unset (each command has its default). */
  logLevel: LogLevel | undefined;
  /** OPS_METRICS_PORT (own listener) and OPS_METRICS_TOKEN (/system/metrics); undefined when unset. */
  metrics: { port: number | undefined; token: string | undefined };
}

/** Chunked work: workers per run in this daemon, chunk sizing, write budget, health limits. */
export interface WorkConfig {
  workers: number;
  chunkTargetMs: number;
  chunkMin: number;
  chunkMax: number;
  /** A fixed chunk size (the optimiser is off), or null. */
  chunkSize: number | null;
  writeBudget: number | null;
  chunkTimeoutMs: number;
  health: HealthLimits;
}

export class ConfigError extends Error {}

/**
 * Plugin folders beyond the repository's plugins/: OPS_PLUGINS (comma separated), then those
 * registered with `ops-daemon plugins add` in OPS_DATA_DIR/plugins.json; each once.
 */
function pluginFolders(list: string | undefined, dataDir: string): string[] {
  const fromEnv = (list ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  let registered: string[];
  try {
    registered = readRegisteredPlugins(dataDir);
  } catch (error) {
    if (error instanceof RegisteredPluginsError) throw new ConfigError(error.message);
    throw error;
  }
  const seen = new Set(fromEnv.map((p) => path.resolve(p)));
  return [...fromEnv, ...registered.filter((p) => !seen.has(p))];
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): OpsConfig {
  // An empty variable (`DATABASE_URL=`) means unset, as in most tools.
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = EnvSchema.safeParse(present);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ConfigError(`environment variable ${String(issue.path[0])}: ${issue.message}`);
  }
  const e = parsed.data;
  if (e.OPS_CHUNK_MIN > e.OPS_CHUNK_MAX) {
    throw new ConfigError(
      `environment variable OPS_CHUNK_MIN: must not exceed OPS_CHUNK_MAX (${e.OPS_CHUNK_MIN} > ${e.OPS_CHUNK_MAX})`,
    );
  }
  if (e.OPS_LEASE_MS < 3 * e.OPS_HEARTBEAT_MS) {
    throw new ConfigError(
      `environment variable OPS_LEASE_MS: must be at least 3 × OPS_HEARTBEAT_MS (${e.OPS_LEASE_MS} < 3 × ${e.OPS_HEARTBEAT_MS}), or a slow heartbeat loses the run`,
    );
  }
  if (e.OPS_ALERT_EMAILS && !e.OPS_SMTP_URL) {
    throw new ConfigError(
      'environment variable OPS_ALERT_EMAILS: needs OPS_SMTP_URL, the server to send through',
    );
  }
  return {
    databaseUrl: e.DATABASE_URL,
    dataDir: path.resolve(e.OPS_DATA_DIR),
    port: e.OPS_PORT,
    host: e.OPS_HOST,
    extraPlugins: pluginFolders(e.OPS_PLUGINS, path.resolve(e.OPS_DATA_DIR)),
    heartbeatMs: e.OPS_HEARTBEAT_MS,
    leaseMs: e.OPS_LEASE_MS,
    journalDays: e.OPS_JOURNAL_DAYS,
    dbOutageMs: e.OPS_DB_OUTAGE_MS,
    work: {
      workers: e.OPS_WORKERS,
      chunkTargetMs: e.OPS_CHUNK_TARGET_MS,
      chunkMin: e.OPS_CHUNK_MIN,
      chunkMax: e.OPS_CHUNK_MAX,
      chunkSize: e.OPS_CHUNK_SIZE ?? null,
      writeBudget: e.OPS_WRITE_BUDGET ?? null,
      chunkTimeoutMs: e.OPS_CHUNK_TIMEOUT_MS,
      health: {
        connectionsFraction: e.OPS_THROTTLE_CONNECTIONS,
        replicationLagSeconds: e.OPS_THROTTLE_REPLICATION_LAG_S,
        autovacuumSeconds: e.OPS_THROTTLE_AUTOVACUUM_S,
      },
    },
    preflightLimits: { concurrency: e.OPS_PREFLIGHT_CONCURRENCY, queue: e.OPS_PREFLIGHT_QUEUE },
    plugins: {
      limits: {
        chunkTimeoutMs: e.OPS_CHUNK_TIMEOUT_MS,
        preflightTimeoutMs: e.OPS_PREFLIGHT_TIMEOUT_MS,
        memoryMb: e.OPS_PLUGIN_MEMORY_MB,
        hookTimeoutMs: e.OPS_HOOK_TIMEOUT_MS,
      },
      isolation: e.OPS_PLUGIN_ISOLATION === 'on',
    },
    publicUrl: e.OPS_PUBLIC_URL?.replace(/\/$/, ''),
    secret: e.OPS_SECRET,
    demoPassword: e.OPS_DEMO_PASSWORD,
    breakGlassMinutes: e.OPS_BREAKGLASS_MINUTES,
    smtpUrl: e.OPS_SMTP_URL,
    alertEmails: e.OPS_ALERT_EMAILS ?? [],
    teamsWebhookUrl: e.OPS_TEAMS_WEBHOOK_URL,
    alertRetryMs: e.OPS_ALERT_RETRY_MS,
    scheduleSyncMs: e.OPS_SCHEDULE_SYNC_MS,
    alertPrivateHosts: e.OPS_ALERT_ALLOW_PRIVATE_HOSTS,
    alertSecretKey: e.OPS_ALERT_SECRET_KEY,
    notifySuccessInApp: e.OPS_NOTIFY_SUCCESS_IN_APP === 'true',
    approvalTtlMs: e.OPS_APPROVAL_TTL ?? 3_600_000,
    deployIdentity: e.OPS_DEPLOY_IDENTITY,
    logLevel: e.OPS_LOG_LEVEL,
    metrics: { port: e.OPS_METRICS_PORT, token: e.OPS_METRICS_TOKEN },
  };
}
