import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../config.ts';
import { envDestinations } from './alerting.ts';

describe('alert destinations from the environment', () => {
  const base = { DATABASE_URL: 'postgres://localhost/x' };

  it('makes one e-mail and one Teams destination from OPS_ALERT_EMAILS and OPS_TEAMS_WEBHOOK_URL', () => {
    const config = loadConfig({
      ...base,
      OPS_SMTP_URL: 'smtp://mail.example.com:25',
      OPS_ALERT_EMAILS: ' oncall@example.com,lead@example.com ,',
      OPS_TEAMS_WEBHOOK_URL: 'https://contoso.webhook.office.com/webhookb2/abc',
    });
    expect(envDestinations(config)).toEqual([
      {
        envKey: 'OPS_ALERT_EMAILS',
        kind: 'email',
        name: 'Alert e-mails (OPS_ALERT_EMAILS)',
        recipients: ['oncall@example.com', 'lead@example.com'],
        secret: null,
      },
      {
        envKey: 'OPS_TEAMS_WEBHOOK_URL',
        kind: 'teams',
        name: 'Teams (OPS_TEAMS_WEBHOOK_URL)',
        recipients: [],
        secret: 'https://contoso.webhook.office.com/webhookb2/abc',
      },
    ]);
    expect(envDestinations(loadConfig(base))).toEqual([]);
  });

  it('stops the daemon naming the variable when a value is malformed', () => {
    expect(() => loadConfig({ ...base, OPS_SMTP_URL: 'x', OPS_ALERT_EMAILS: 'a@example.com' })).toThrow(
      /^environment variable OPS_SMTP_URL: must be an smtp:\/\//,
    );
    expect(() =>
      loadConfig({
        ...base,
        OPS_SMTP_URL: 'smtp://mail.example.com',
        OPS_ALERT_EMAILS: 'a@example.com,nope',
      }),
    ).toThrow(/^environment variable OPS_ALERT_EMAILS: must be an e-mail address/);
    expect(() => loadConfig({ ...base, OPS_TEAMS_WEBHOOK_URL: 'http://teams.example.com/hook' })).toThrow(
      /^environment variable OPS_TEAMS_WEBHOOK_URL: must be an https:\/\//,
    );
    expect(() => loadConfig({ ...base, OPS_ALERT_EMAILS: 'a@example.com' })).toThrow(
      new ConfigError(
        'environment variable OPS_ALERT_EMAILS: needs OPS_SMTP_URL, the server to send through',
      ),
    );
  });
});
