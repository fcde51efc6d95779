import type http from 'node:http';
import type { OpsConfig } from './config.ts';
import { freePort } from './db/embedded.ts';
import { createOpsServer } from './http/index.ts';
import { createIdentity, type Identity } from './identity/index.ts';
import { NotificationStore } from './notifications/index.ts';
import { type Ops, openOps } from './ops.ts';
import { sessionSecret } from './secret.ts';
import { DEFAULT_SEED_OPTIONS, seedDemoData } from './seed/index.ts';

export interface DaemonOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** Seed demo data on first start and make sure the demo accounts exist. */
  demo?: boolean;
  log?: (message: string) => void;
  /** How often interrupted runs and expired break-glass are swept up. */
  sweepMs?: number;
}

export interface Daemon {
  url: string;
  ops: Ops;
  identity: Identity;
  notifications: NotificationStore;
  server: http.Server;
  demoAccounts: { email: string; plane: string; capabilities: string[] }[];
  /** Stops accepting, lets running runs stop after their chunk (left paused), closes everything. */
  stop(): Promise<void>;
}

/** What `ops-daemon serve` runs: database, identity, HTTP server and the periodic sweeps. */
export async function startDaemon(config: OpsConfig, options: DaemonOptions): Promise<Daemon> {
  const log = options.log ?? (() => {});
  const port = options.port === 0 ? await freePort() : options.port;
  const url = config.publicUrl ?? `http://${options.host}:${port}`;
  const ops = await openOps(config, { log });
  const identity = await createIdentity({
    db: ops.db,
    audit: ops.audit,
    baseUrl: url,
    secret: sessionSecret(config.secret, config.dataDir),
    runbookCapabilities: () => ops.service.catalog().map((r) => r.capability),
    breakGlassMinutes: config.breakGlassMinutes,
    secureCookies: url.startsWith('https://'),
  });
  const notifications = new NotificationStore(ops.db.pool);

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

  const allowed = new Set([new URL(url).origin, `http://${options.host}:${port}`]);
  const server = createOpsServer({
    services: { ops, identity, notifications },
    allowedOrigins: () => allowed,
    log,
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, options.host, resolve);
  });
  const sweep = setInterval(() => {
    ops.service.reapInterrupted().catch((e) => log(`reaper: ${(e as Error).message}`));
    identity.expireBreakGlass().catch((e) => log(`break-glass expiry: ${(e as Error).message}`));
  }, options.sweepMs ?? 10_000);

  let stopped: Promise<void> | undefined;
  return {
    url,
    ops,
    identity,
    notifications,
    server,
    demoAccounts,
    stop() {
      stopped ??= (async () => {
        clearInterval(sweep);
        server.close();
        server.closeIdleConnections();
        await ops.service.shutdown();
        server.closeAllConnections(); // open SSE streams end here
        await identity.close();
        await ops.close();
      })();
      return stopped;
    },
  };
}
