import { describe, expect, it } from 'vitest';
import { maskSmtpUrl, maskWebhookUrl, smtpUrlProblem, webhookUrlProblem } from './destination-rules.ts';

describe('destination rules', () => {
  it('takes https webhooks anywhere and plain http only on this machine', () => {
    expect(webhookUrlProblem('https://contoso.webhook.office.com/webhookb2/abc')).toBeNull();
    expect(webhookUrlProblem('http://127.0.0.1:8080/hook')).toBeNull();
    expect(webhookUrlProblem('http://localhost/hook')).toBeNull();
    expect(webhookUrlProblem('http://teams.example.com/hook')).toMatch(/https:\/\//);
    expect(webhookUrlProblem('ftp://example.com/hook')).toMatch(/https:\/\//);
    expect(webhookUrlProblem('no url at all')).toMatch(/must be a URL/);
  });

  it('takes smtp:// and smtps:// servers only', () => {
    expect(smtpUrlProblem('smtps://user:pw@mail.example.com:465')).toBeNull();
    expect(smtpUrlProblem('smtp://127.0.0.1:2525')).toBeNull();
    expect(smtpUrlProblem('https://mail.example.com')).toMatch(/smtp:\/\//);
    expect(smtpUrlProblem('mail.example.com')).toMatch(/smtp:\/\//);
  });

  it('masks secrets so they can be recognised, not reused', () => {
    expect(maskWebhookUrl('https://contoso.webhook.office.com/webhookb2/abc/IncomingWebhook/def/ghij')).toBe(
      'https://contoso.webhook.office.com/…ghij',
    );
    expect(maskSmtpUrl('smtps://alerts%40example.com:hunter2@mail.example.com:465?pool=true')).toBe(
      'smtps://alerts@example.com:****@mail.example.com:465',
    );
    expect(maskSmtpUrl('smtp://mail.example.com')).toBe('smtp://mail.example.com');
  });
});
