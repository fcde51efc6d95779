import pg from 'pg';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, type TestDaemon } from '../support/daemon.ts';
import { chromiumMissing, launchChromium, newConsoleContext } from './support/browser.ts';
import { checkpoint, signInThroughPage } from './support/console-page.ts';

// Issue 14, tamper-evident audit: the audit page says how far the hash chain is verified, and
// names the event where it breaks once an event was changed behind the daemon's back.
describe.skipIf(chromiumMissing !== null)('the console in Chromium: the audit chain banner', () => {
  let d: TestDaemon;
  let browser: Browser;

  beforeAll(async () => {
    [d, browser] = await Promise.all([startTestDaemon({ tenants: 2, findings: 100 }), launchChromium()]);
    // A few audited reads, so the chain has events before the page opens.
    const api = d.client((await d.signIn('operator@ops.local')).cookie);
    const [tenant] = await api.tenants.search.query({ q: 'tenant-1' });
    for (let i = 0; i < 3; i += 1) {
      await api.runbooks.preflight.mutate({
        runbookId: 'findings.lifecycle.backfill',
        scope: { kind: 'tenant', tenantId: tenant!.id },
      });
    }
  });
  afterAll(async () => {
    await browser?.close();
    await d?.stop();
  });

  it('shows "Chain verified through #N", then "Chain broken at #k" after a superuser edit', async () => {
    const context = await newConsoleContext(browser, d.url, { colorScheme: 'light' });
    const page = await context.newPage();
    await page.setViewportSize({ width: 1280, height: 900 });
    await signInThroughPage(page, 'operator@ops.local', '/system/ops/audit');
    await page.getByRole('table', { name: 'Audit events' }).waitFor();
    const banner = page.getByTestId('audit-chain-status');
    // The sign-in and the page's own reads write events too: the head is read after the banner.
    await banner.getByText(/^Chain verified through #\d/).waitFor();
    const title = (await banner.locator('.fui-MessageBarTitle').textContent()) ?? '';
    const through = Number(title.replace(/\D/g, ''));
    expect(through).toBeGreaterThan(0);
    await checkpoint(page, 'audit-chain-verified-1280-light');

    const [{ seq, id }] = (await d.t.sql<{ seq: string; id: string }>(
      'SELECT seq::text AS seq, id::text AS id FROM ops.audit_events WHERE seq = 2',
    )) as [{ seq: string; id: string }];
    const client = new pg.Client({ connectionString: d.t.url });
    await client.connect();
    try {
      await client.query('BEGIN');
      await client.query('ALTER TABLE ops.audit_events DISABLE TRIGGER audit_events_append_only');
      await client.query("UPDATE ops.audit_events SET actor_label = 'someone-else@ops.local' WHERE seq = 2");
      await client.query('ALTER TABLE ops.audit_events ENABLE ALWAYS TRIGGER audit_events_append_only');
      await client.query('COMMIT');
    } finally {
      await client.end();
    }
    await page.reload();
    await banner.getByText(`Chain broken at #${seq}`, { exact: true }).waitFor();
    const text = (await banner.textContent()) ?? '';
    expect(text).toContain(`Event id ${id}: its content hash differs`);
    expect(text).toContain('ops-daemon audit verify');
    await checkpoint(page, 'audit-chain-broken-1280-light');
    await context.close();
  });
});
