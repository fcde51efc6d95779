import type pg from 'pg';
import type { AuditLog } from '../audit/index.ts';
import type { OpsConfig } from '../config.ts';
import type { NotificationStore } from '../notifications/index.ts';
import type { Logger } from '../observability/index.ts';
import type { RunRepository } from '../runs/index.ts';
import { AddressPolicy } from './address-policy.ts';
import { AlertsService } from './alerts-service.ts';
import { Announcer } from './announcer.ts';
import { DeliveryStore } from './delivery-store.ts';
import { DeliveryWorker } from './delivery-worker.ts';
import { DestinationStore, type EnvDestination } from './destination-store.ts';
import { configuredSecretKey, SecretBox } from './secret-box.ts';
import { createSenders } from './senders.ts';

export interface AlertingOptions {
  pool: pg.Pool;
  runs: RunRepository;
  audit: AuditLog;
  notifications: NotificationStore;
  config: Pick<
    OpsConfig,
    | 'smtpUrl'
    | 'alertEmails'
    | 'teamsWebhookUrl'
    | 'alertRetryMs'
    | 'alertPrivateHosts'
    | 'alertSecretKey'
    | 'secret'
    | 'dataDir'
    | 'notifySuccessInApp'
  >;
  /** The base of "View run" links. */
  publicUrl: string;
  runbookTitle: (runbookId: string) => string | null;
  /** `host:pid`, kept on leases and attempts. */
  daemonId: string;
  log: (message: string) => void;
  /** Structured lines of delivery attempts (observability/logger.ts). */
  logger?: Logger;
}

export interface Alerting {
  service: AlertsService;
  announcer: Announcer;
  worker: DeliveryWorker;
  /** Seeds the environment's destinations and starts the delivery worker. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** One attempt (connect, send, answer) never takes longer than this. */
const SEND_TIMEOUT_MS = 15_000;

/** The destinations OPS_ALERT_EMAILS and OPS_TEAMS_WEBHOOK_URL stand for. */
export function envDestinations(config: AlertingOptions['config']): EnvDestination[] {
  const out: EnvDestination[] = [];
  if (config.alertEmails.length) {
    out.push({
      envKey: 'OPS_ALERT_EMAILS',
      kind: 'email',
      name: 'Alert e-mails (OPS_ALERT_EMAILS)',
      recipients: config.alertEmails,
      secret: null,
    });
  }
  if (config.teamsWebhookUrl) {
    out.push({
      envKey: 'OPS_TEAMS_WEBHOOK_URL',
      kind: 'teams',
      name: 'Teams (OPS_TEAMS_WEBHOOK_URL)',
      recipients: [],
      secret: config.teamsWebhookUrl,
    });
  }
  return out;
}

/** Wires the alert pieces of one daemon together. */
export function createAlerting(o: AlertingOptions): Alerting {
  const destinations = new DestinationStore(o.pool, new SecretBox(configuredSecretKey(o.config)));
  const deliveries = new DeliveryStore(o.pool, o.daemonId);
  const senders = createSenders({
    smtpUrl: o.config.smtpUrl,
    timeoutMs: SEND_TIMEOUT_MS,
    addresses: new AddressPolicy(o.config.alertPrivateHosts ?? []),
  });
  const worker = new DeliveryWorker({
    deliveries,
    destinations,
    senders,
    retryBaseMs: o.config.alertRetryMs,
    pollMs: 5_000,
    leaseMs: SEND_TIMEOUT_MS * 4,
    log: o.log,
    logger: o.logger,
  });
  const announcer = new Announcer({
    pool: o.pool,
    runs: o.runs,
    destinations,
    deliveries,
    notifications: o.notifications,
    publicUrl: o.publicUrl,
    runbookTitle: o.runbookTitle,
    notifySuccessInApp: o.config.notifySuccessInApp,
    onEnqueued: () => worker.nudge(),
  });
  const service = new AlertsService({
    destinations,
    deliveries,
    senders,
    audit: o.audit,
    publicUrl: o.publicUrl,
    smtpConfigured: Boolean(o.config.smtpUrl),
  });
  return {
    service,
    announcer,
    worker,
    async start() {
      const sealed = await destinations.sealPlain();
      if (sealed)
        o.log(`alert destinations: sealed ${sealed} secret(s) stored in plain text before migration 009`);
      await destinations.seedFromEnv(envDestinations(o.config));
      worker.start();
    },
    stop: () => worker.stop(),
  };
}
