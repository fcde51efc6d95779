import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUDIT_ACTIONS } from '../../apps/daemon/src/audit/index.ts';
import { startTestDaemon, type TestDaemon } from '../support/daemon.ts';
import { chromiumMissing, launchChromium, newConsoleContext } from './support/browser.ts';
import { checkpoint, signInThroughPage } from './support/console-page.ts';

const RUNBOOK = 'findings.lifecycle.backfill';

// Issue 12, audit: actions written by the newer parts of the daemon (alerts, schedules) show in
// operator words, never as raw ids; the Action filter offers every action the daemon writes; the
// details read as labelled values, not JSON. At 1280 px light and 800 px dark.
describe.skipIf(chromiumMissing !== null)('the console in Chromium: the audit log in operator words', () => {
  let d: TestDaemon;
  let browser: Browser;

  beforeAll(async () => {
    [d, browser] = await Promise.all([startTestDaemon({ tenants: 2, findings: 100 }), launchChromium()]);
    const api = d.client((await d.signIn('operator@ops.local')).cookie);
    // A schedule and an alert destination, created, tested and removed: the newer actions.
    const schedule = await api.schedules.create.mutate({
      name: 'nightly check',
      cron: '0 3 * * *',
      timezone: 'Europe/Berlin',
      runbookId: RUNBOOK,
      scope: { kind: 'all' },
      mode: 'preflight',
    });
    await api.schedules.delete.mutate({ id: schedule.id });
    const hook = await api.alerts.create.mutate({
      kind: 'teams',
      name: 'Ops channel',
      webhookUrl: 'https://127.0.0.1:9/webhook',
      enabled: true,
      notifyOnSuccess: false,
    });
    await api.alerts.test.mutate({ id: hook.id });
  });
  afterAll(async () => {
    await browser?.close();
    await d?.stop();
  });

  async function auditPage(width: number, colorScheme: 'light' | 'dark'): Promise<Page> {
    const context = await newConsoleContext(browser, d.url, { colorScheme });
    const page = await context.newPage();
    await page.setViewportSize({ width, height: 900 });
    await signInThroughPage(page, 'operator@ops.local', '/system/ops/audit');
    await page.getByRole('table', { name: 'Audit events' }).waitFor();
    return page;
  }

  for (const [width, scheme] of [
    [1280, 'light'],
    [800, 'dark'],
  ] as const) {
    it(`shows every action in operator words with readable details (${width} px, ${scheme})`, async () => {
      const page = await auditPage(width, scheme);
      const table = page.getByRole('table', { name: 'Audit events' });
      for (const label of [
        'Schedule created',
        'Schedule deleted',
        'Alert destination added',
        'Test alert sent',
      ])
        await table.getByText(label, { exact: true }).first().waitFor();
      const text = (await table.textContent()) ?? '';
      for (const raw of AUDIT_ACTIONS) expect(text, raw).not.toContain(raw);
      expect(text).not.toMatch(/[{}]"|"\w+":/); // no JSON
      const sent = table.getByRole('row').filter({ hasText: 'Test alert sent' });
      // jsonb keeps keys in its own order: each part, wherever it stands.
      const details = (await sent.textContent()) ?? '';
      for (const part of [
        'Destination: Ops channel (teams)',
        'Sent: no',
        "Error: the webhook's server refused",
      ])
        expect(details).toContain(part);
      await checkpoint(page, `audit-labels-${width}-${scheme}`);
      await page.context().close();
    });
  }

  it('offers every action the daemon writes in the Action filter, by its label', async () => {
    const page = await auditPage(1280, 'light');
    await page.getByRole('combobox', { name: 'Action' }).click();
    const options = await page.getByRole('option').allTextContents();
    expect(options).toHaveLength(AUDIT_ACTIONS.length + 1); // and "All actions"
    for (const label of ['Run cancelled', 'Test alert sent', 'Schedule created', 'Drift detected'])
      expect(options).toContain(label);
    for (const raw of AUDIT_ACTIONS) expect(options).not.toContain(raw);
    await page.getByRole('option', { name: 'Schedule created' }).click();
    await page.getByRole('table', { name: 'Audit events' }).getByText('Schedule created').first().waitFor();
    await page.context().close();
  });
});
