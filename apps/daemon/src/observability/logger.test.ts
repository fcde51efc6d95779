import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config.ts';
import { createLogger, runLogger } from './logger.ts';
import { scrub, secretValuesOf } from './redaction.ts';

function capture(format: 'json' | 'pretty' = 'json', secrets: string[] = [], level = 'info' as const) {
  const lines: string[] = [];
  const logger = createLogger({ level, format, secrets, destination: (line) => lines.push(line) });
  return { logger, lines };
}

describe('the daemon logger', () => {
  it('writes one JSON object per line with level name, time, message and fields', () => {
    const { logger, lines } = capture();
    logger.info({ event: 'run.executing' }, 'run 7 executing');
    logger.debug('not at info');
    expect(lines).toHaveLength(1);
    expect(lines[0]!.endsWith('\n')).toBe(true);
    expect(JSON.parse(lines[0]!)).toMatchObject({
      level: 'info',
      event: 'run.executing',
      msg: 'run 7 executing',
    });
    expect(JSON.parse(lines[0]!).time).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it('binds run_id, runbook and scope to every line about a run', () => {
    const { logger, lines } = capture();
    const run = runLogger(logger, {
      id: '42',
      type: 'findings.lifecycle.backfill',
      scope: { kind: 'tenant', tenantId: 3, externalId: 'tenant-3', name: 'x' },
    });
    run.warn({ event: 'run.locks_lost' }, 'lost');
    expect(JSON.parse(lines[0]!)).toMatchObject({
      run_id: '42',
      runbook: 'findings.lifecycle.backfill',
      scope: 'tenant:tenant-3',
      event: 'run.locks_lost',
    });
  });

  it('writes readable lines for a terminal', () => {
    const { logger, lines } = capture('pretty');
    logger.info({ run_id: '9' }, 'run 9 executing');
    expect(lines[0]).toMatch(/^\d\d:\d\d:\d\d\.\d{3} INFO {2}run 9 executing {2}run_id=9\n$/);
  });

  it('censors secret-holding keys and scrubs configured secrets and URL credentials from every line', () => {
    const config = loadConfig({
      OPS_SECRET: 's'.repeat(40),
      OPS_ALERT_SECRET_KEY: 'k'.repeat(40),
      OPS_METRICS_TOKEN: 'metrics-token-0123456789',
      OPS_SMTP_URL: 'smtp://mailer:p%40ss-word-1@mail.example.com:587',
      OPS_ALERT_EMAILS: 'oncall@example.com',
      OPS_TEAMS_WEBHOOK_URL: 'https://example.webhook.office.com/webhookb2/abc/IncomingWebhook/def/ghi',
    });
    const secrets = secretValuesOf({ ...config, metricsToken: config.metrics.token });
    const { logger, lines } = capture('json', secrets);
    logger.info({ password: 'hunter2-hunter2', headers: { authorization: 'Bearer abc' } }, 'sign-in');
    logger.warn(`send failed: ${config.teamsWebhookUrl} and ${config.smtpUrl}`);
    logger.error({ detail: `key ${'k'.repeat(40)} token metrics-token-0123456789 ${'s'.repeat(40)}` }, 'x');
    logger.info('https://hooks.example.com/x?sig=abcdef123456&api-version=1 postgres://app:dbpass99@db/app');
    const all = lines.join('');
    for (const leaked of [
      'hunter2-hunter2',
      'Bearer abc',
      '/webhookb2/abc/IncomingWebhook/def/ghi',
      'p%40ss-word-1',
      'k'.repeat(40),
      's'.repeat(40),
      'metrics-token-0123456789',
      'abcdef123456',
      'dbpass99',
    ]) {
      expect(all, leaked).not.toContain(leaked);
    }
    expect(all).toContain('[Redacted]');
    expect(all).toContain('mail.example.com'); // the host stays: where it failed is worth knowing
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
  });

  it('keeps a line without secrets as it is', () => {
    expect(scrub('{"msg":"run 1 executing"}\n', ['a-long-secret'])).toBe('{"msg":"run 1 executing"}\n');
  });
});

describe('OPS_LOG_LEVEL', () => {
  it('accepts the pino levels and names the variable otherwise', () => {
    expect(loadConfig({ OPS_LOG_LEVEL: 'debug' }).logLevel).toBe('debug');
    expect(loadConfig({}).logLevel).toBeUndefined();
    expect(() => loadConfig({ OPS_LOG_LEVEL: 'verbose' })).toThrow(
      /environment variable OPS_LOG_LEVEL: must be one of fatal, error, warn, info, debug, trace, silent/,
    );
  });

  it('checks OPS_METRICS_PORT and OPS_METRICS_TOKEN', () => {
    expect(loadConfig({ OPS_METRICS_PORT: '9464' }).metrics.port).toBe(9464);
    expect(() => loadConfig({ OPS_METRICS_PORT: '70000' })).toThrow(/environment variable OPS_METRICS_PORT/);
    expect(() => loadConfig({ OPS_METRICS_TOKEN: 'short' })).toThrow(
      /environment variable OPS_METRICS_TOKEN: must be at least 16 characters/,
    );
  });
});
