import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, type TestDaemon } from '../support/daemon.ts';
import { chromiumMissing, launchChromium, newConsoleContext } from './support/browser.ts';
import { checkpoint, signInThroughPage } from './support/console-page.ts';

const RUNBOOK = 'findings.lifecycle.backfill';

// An operator reverts a finished run from its page: the Revert button, its confirmation (reason and
// the typed phrase REVERT), the revert run's page with the row it skipped because the product
// changed it after the run, and the original run saying it was reverted and why it cannot be again.
describe.skipIf(chromiumMissing !== null)('the console in Chromium: reverting a run', () => {
  let d: TestDaemon;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let runId = '';
  let touchedKey = '';

  const rowsAsText = async () =>
    (
      await d.t.sql<{ id: string; row: string }>(
        "SELECT f.id::text AS id, f::text AS row FROM public.findings f JOIN tenants t ON t.id = f.tenant_id WHERE t.external_id = 'tenant-2' ORDER BY f.id",
      )
    ).map((r) => [r.id, r.row] as const);

  beforeAll(async () => {
    [d, browser] = await Promise.all([
      startTestDaemon({ tenants: 3, findings: 900, drift: 0.5 }, { OPS_CHUNK_SIZE: '40' }),
      launchChromium(),
    ]);
    context = await newConsoleContext(browser, d.url);
    page = await context.newPage();
    await signInThroughPage(page, 'operator@ops.local');
  });
  afterAll(async () => {
    await browser?.close();
    await d?.stop();
  });

  it('reverts a run from its page and lists the row the product changed since', async () => {
    const before = new Map(await rowsAsText());
    const started = await d.daemon.ops.service.start({
      runbookId: RUNBOOK,
      scope: { kind: 'externalId', externalId: 'tenant-2' },
      actor: { kind: 'system', label: 'system:cli' },
    });
    const ran = await started.done;
    runId = ran.id;
    expect(ran.summary.updated_count).toBeGreaterThan(10);
    // The product changes one of the rows the run wrote, after the run.
    const [touched] = await d.t.sql<{ row_key: string }>(
      'SELECT row_key FROM ops.run_journal WHERE run_id = $1 ORDER BY seq LIMIT 1',
      [runId],
    );
    touchedKey = touched!.row_key;
    const [moved] = await d.t.sql<{ status: string }>(
      `UPDATE public.findings SET status = CASE WHEN status = 'triaged' THEN 'reopened' ELSE 'triaged' END,
              updated_at = now() WHERE id = $1 RETURNING status`,
      [touchedKey],
    );

    await page.goto(`/system/ops/runs/${runId}`);
    const panel = page.getByTestId('revert-panel');
    await panel.getByText(`keeps the before-image of ${ran.summary.updated_count} rows`).waitFor();
    await panel.getByRole('button', { name: 'Revert run' }).click();
    const dialog = page.getByRole('alertdialog', { name: `Revert run #${runId}?` });
    await dialog.getByText(/A row that changed since the run is skipped and listed/).waitFor();
    // Without the phrase the daemon refuses, in words naming the field.
    await dialog.getByRole('combobox', { name: 'Reason code' }).click();
    await page.getByRole('option', { name: /\(INCIDENT\)/ }).click();
    await dialog.getByRole('textbox', { name: 'Reason' }).fill('The backfill used the wrong due dates');
    await dialog.getByRole('button', { name: 'Revert run' }).click();
    await dialog.getByText(/confirmation phrase REVERT exactly/i).waitFor();
    await dialog.getByRole('textbox', { name: 'Type REVERT to confirm' }).fill('REVERT');
    await checkpoint(page, 'revert-confirmation');
    await dialog.getByRole('button', { name: 'Revert run' }).click();

    // The revert's own page: it ends, says what it reverted, and lists the skipped row.
    await page.waitForURL(
      (url) => /\/system\/ops\/runs\/\d+$/.test(url.pathname) && !url.pathname.endsWith(`/${runId}`),
    );
    const revertId = page.url().split('/').at(-1)!;
    await page.getByRole('heading', { name: `Run #${revertId}: revert of run #${runId}` }).waitFor();
    await page
      .locator('[data-testid="run-badges"] [data-badge="status"]')
      .filter({ hasText: 'Completed' })
      .waitFor({ timeout: 30_000 });
    const revertPanel = page.getByTestId('revert-panel');
    await revertPanel.getByText(`This run reverts`).waitFor();
    await page.getByTestId('revert-skipped-count').filter({ hasText: '1 row was skipped' }).waitFor();
    const skippedRow = revertPanel
      .getByRole('table', { name: 'Rows skipped by the revert' })
      .getByRole('row')
      .nth(1);
    expect(await skippedRow.textContent()).toContain(touchedKey);
    expect(await skippedRow.textContent()).toMatch(new RegExp(`status: .+ → ${moved!.status}`));
    await checkpoint(page, 'revert-run-skipped-rows');

    // In the database: every other row of tenant-2 is exactly as before the run.
    const after = await rowsAsText();
    const differing = after.filter(([id, row]) => before.get(id) !== row).map(([id]) => id);
    expect(differing).toEqual([touchedKey]);

    // The original run's page links to its revert and says why it cannot be reverted again.
    await revertPanel.getByRole('link', { name: `run #${runId}` }).click();
    await page.waitForURL(new RegExp(`/system/ops/runs/${runId}$`));
    await page
      .getByTestId('revert-panel')
      .getByRole('link', { name: `run #${revertId}` })
      .waitFor();
    await page.getByTestId('revert-unavailable').filter({ hasText: 'was already reverted by run' }).waitFor();
    expect(await page.getByTestId('revert-panel').getByRole('button', { name: 'Revert run' }).count()).toBe(
      0,
    );
  });
});
