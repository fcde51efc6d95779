import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  refusedUrl,
  type SmtpPeer,
  startSmtpPeer,
  startWebhookPeer,
  type WebhookPeer,
} from '../support/alert-peers.ts';
import { waitFor } from '../support/cli.ts';
import { startTestDaemon, type TestDaemon } from '../support/daemon.ts';
import { chromiumMissing, launchChromium, newConsoleContext } from './support/browser.ts';
import { checkpoint, signInThroughPage, waitForFieldMessage, waitForToast } from './support/console-page.ts';

const MAIL = 'On-call e-mail';
const TEAMS = 'Ops channel';

// Settings → Alerts against real peers: an SMTP server (smtp-server) that receives the test
// message, a local webhook standing in for Teams, and a port nothing listens on. The daemon has no
// OPS_SMTP_URL, so an e-mail destination needs a server of its own.
describe.skipIf(chromiumMissing !== null)('the console in Chromium: alert destinations', () => {
  let d: TestDaemon;
  let smtp: SmtpPeer;
  let hook: WebhookPeer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  const table = () => page.getByRole('table', { name: 'Alert destinations' });
  const row = (name: string) => table().getByRole('row').filter({ hasText: name });
  const addDestination = async (kind: 'E-mail' | 'Microsoft Teams') => {
    await page.getByRole('button', { name: 'Add destination' }).click();
    await page.getByRole('menuitem', { name: kind }).click();
    return page.getByRole('dialog', {
      name: kind === 'E-mail' ? 'Add an e-mail destination' : 'Add a Microsoft Teams channel',
    });
  };

  beforeAll(async () => {
    [smtp, hook, browser] = await Promise.all([startSmtpPeer(), startWebhookPeer(), launchChromium()]);
    d = await startTestDaemon({ tenants: 2, findings: 200 });
    context = await newConsoleContext(browser, d.url);
    page = await context.newPage();
    await signInThroughPage(page, 'operator@ops.local', '/system/settings/alerts');
  });
  afterAll(async () => {
    await browser?.close();
    await d?.stop();
    await smtp?.close();
    await hook?.close();
  });

  it('starts empty, under Settings in the navigation', async () => {
    await page.getByRole('heading', { level: 1, name: 'Alert destinations' }).waitFor();
    await page.getByText('No alert destinations yet').waitFor();
    expect(await page.getByRole('navigation').getByRole('link', { name: 'Alerts' }).count()).toBe(1);
    await checkpoint(page, 'alerts-empty');
  });

  it('adds an e-mail destination, showing each refusal on the field it names', async () => {
    const dialog = await addDestination('E-mail');
    await dialog.getByRole('textbox', { name: 'Name' }).fill(MAIL);
    const recipients = page.getByRole('textbox', { name: 'Recipients' });
    await dialog.locator(recipients).fill('oncall@ops.example, not-an-address');
    await dialog.getByRole('button', { name: 'Add destination' }).click();
    expect(await waitForFieldMessage(dialog, recipients, /not-an-address/)).toBe(
      '“not-an-address”: Must be an e-mail address like ops@example.com.',
    );
    await dialog.locator(recipients).fill('oncall@ops.example, lead@ops.example');
    await dialog.getByRole('button', { name: 'Add destination' }).click();
    const smtpField = page.getByRole('textbox', { name: 'SMTP server' });
    expect(await waitForFieldMessage(dialog, smtpField, /OPS_SMTP_URL/)).toMatch(
      /^No SMTP server is configured \(OPS_SMTP_URL\): give this destination one\.$/,
    );
    await checkpoint(page, 'alerts-email-field-error');
    await dialog.locator(smtpField).fill(smtp.url);
    await dialog.getByRole('button', { name: 'Add destination' }).click();
    await waitForToast(page, /added/);
    const added = await row(MAIL).textContent();
    for (const part of [
      'E-mail',
      'oncall@ops.example, lead@ops.example',
      `via ${smtp.url}`,
      'On',
      'No, failures only',
    ])
      expect(added).toContain(part);
  });

  it('sends a test message that the SMTP server receives, and says so', async () => {
    await row(MAIL)
      .getByRole('button', { name: `Send test to ${MAIL}` })
      .click();
    expect(await waitForToast(page, /Test message sent/)).toContain(`Test message sent to “${MAIL}”`);
    const mail = await waitFor(async () => smtp.mails[0], 10_000, 'the test e-mail');
    expect(mail.to).toEqual(['oncall@ops.example', 'lead@ops.example']);
  });

  it('adds a Teams webhook, refuses a malformed URL, and shows the saved URL only masked', async () => {
    const dialog = await addDestination('Microsoft Teams');
    await dialog.getByRole('textbox', { name: 'Name' }).fill(TEAMS);
    const webhook = page.getByRole('textbox', { name: 'Webhook URL' });
    await dialog.locator(webhook).fill('http://teams.example/webhook');
    await dialog.getByRole('button', { name: 'Add destination' }).click();
    expect(await waitForFieldMessage(dialog, webhook, /https/)).toMatch(/Must be an https:\/\/ URL/);
    await dialog.locator(webhook).fill(hook.url);
    await dialog.getByRole('button', { name: 'Add destination' }).click();
    await dialog.waitFor({ state: 'detached' });
    await waitForToast(page, /“Ops channel” added/);
    const text = (await row(TEAMS).textContent()) ?? '';
    expect(text).toContain(`${new URL(hook.url).origin}/…-xyz`);
    expect(await page.locator('body').textContent()).not.toContain('IncomingWebhook/abc123');

    await row(TEAMS)
      .getByRole('button', { name: `Send test to ${TEAMS}` })
      .click();
    await waitForToast(page, /Test message sent to “Ops channel”/);
    expect(hook.posts).toHaveLength(1);
    await checkpoint(page, 'alerts-destinations');
  });

  it('edits a destination without asking for its secret again, and reports a refused test in the daemon’s words, beside the destination', async () => {
    await row(TEAMS)
      .getByRole('button', { name: `Edit ${TEAMS}` })
      .click();
    const dialog = page.getByRole('dialog', { name: `Edit “${TEAMS}”` });
    expect(await dialog.textContent()).toContain(
      `Stored: ${new URL(hook.url).origin}/…-xyz. Leave empty to keep it.`,
    );
    expect(await dialog.getByRole('textbox', { name: 'Webhook URL' }).inputValue()).toBe('');
    await dialog.getByRole('switch', { name: /notify when a run succeeds/ }).click();
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'detached' });
    await row(TEAMS).filter({ hasText: 'Yes' }).waitFor();

    // Point it at a port nothing listens on: the test is refused, in the destination's words.
    await row(TEAMS)
      .getByRole('button', { name: `Edit ${TEAMS}` })
      .click();
    await page.getByRole('textbox', { name: 'Webhook URL' }).fill(await refusedUrl('http'));
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'detached' });
    await row(TEAMS)
      .getByRole('button', { name: `Send test to ${TEAMS}` })
      .click();
    const refused = await waitForToast(page, /did not accept/);
    expect(refused).toContain(`“${TEAMS}” did not accept the test message`);
    expect(refused).toMatch(/refused/i);
    // The answer stays beside the destination after the toast has gone, in the daemon's words
    // (never the socket's: no ECONNREFUSED, no address).
    const result = row(TEAMS).getByRole('status', { name: `Last test of ${TEAMS}` });
    await result.filter({ hasText: 'Test not accepted' }).waitFor();
    const words = (await result.textContent()) ?? '';
    expect(words).toMatch(/^Test not accepted \(.+\): the webhook's server refused the connection/);
    expect(words).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|fetch failed/);
    await checkpoint(page, 'alerts-test-refused');
    await page.setViewportSize({ width: 800, height: 900 });
    await checkpoint(page, 'alerts-test-refused-800');
    await page.setViewportSize({ width: 1280, height: 900 });
    expect(
      await row(MAIL)
        .getByRole('status', { name: `Last test of ${MAIL}` })
        .textContent(),
    ).toMatch(/^Test accepted/);
  });

  it('deletes a destination after a confirmation', async () => {
    await row(TEAMS)
      .getByRole('button', { name: `Delete ${TEAMS}` })
      .click();
    const confirm = page.getByRole('alertdialog', { name: 'Delete this destination?' });
    await confirm.getByRole('button', { name: 'Delete destination' }).click();
    await confirm.waitFor({ state: 'detached' });
    await waitForToast(page, /deleted/);
    await row(TEAMS).waitFor({ state: 'detached' });
    await expect.poll(() => table().getByRole('row').count()).toBe(2); // header + the e-mail destination
  });

  it('tells an operator without platform.alerts.manage what is missing (dark theme)', async () => {
    const dark = await newConsoleContext(browser, d.url, { colorScheme: 'dark' });
    const viewer = await dark.newPage();
    await signInThroughPage(viewer, 'viewer@ops.local', '/system/settings/alerts');
    const missing = viewer.locator('[data-error-code="FORBIDDEN"]');
    await missing.waitFor();
    expect(await missing.textContent()).toMatch(/platform\.alerts\.manage \(manage alert destinations\)/);
    expect(await viewer.getByRole('navigation').getByRole('link', { name: 'Alerts' }).count()).toBe(0);
    expect(await viewer.getByRole('table').count()).toBe(0);
    await checkpoint(viewer, 'alerts-capability-missing-dark');
    await dark.close();
  });
});
