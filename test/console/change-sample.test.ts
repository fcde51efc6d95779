import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lifecycleFieldText } from '../../plugins/findings-lifecycle-backfill/src/diff.ts';
import { startTestDaemon, type TestDaemon } from '../support/daemon.ts';
import { chromiumMissing, launchChromium, newConsoleContext } from './support/browser.ts';
import { checkpoint, signInThroughPage } from './support/console-page.ts';

const RUNBOOK = '[data-runbook="findings.lifecycle.backfill"]';

interface ShownRow {
  key: string;
  field: string;
  after: string | null;
}

/** The rows of a change-sample table as shown: finding, field and the "after" text (∅ → null). */
async function shownRows(table: Locator): Promise<ShownRow[]> {
  return table.locator('tbody tr').evaluateAll((rows) =>
    rows.map((r) => {
      const after = r.querySelector('[data-value="after"]')!;
      const empty = after.querySelector('span') !== null && after.textContent === 'empty';
      return {
        key: r.getAttribute('data-key')!,
        field: r.getAttribute('data-field')!,
        after: empty ? null : after.textContent,
      };
    }),
  );
}

/** Nothing in the dialog scrolls sideways: the table fits its box, the dialog fits the window. */
async function fitsSideways(page: Page, sample: Locator, what: string): Promise<void> {
  const [scrollWidth, clientWidth] = await sample
    .locator('table')
    .evaluate((t) => [t.parentElement!.scrollWidth, t.parentElement!.clientWidth]);
  expect(scrollWidth, `${what}: table ${scrollWidth} px in a ${clientWidth} px box`).toBeLessThanOrEqual(
    clientWidth,
  );
  const box = await sample.boundingBox();
  const innerWidth = (await page.evaluate('window.innerWidth')) as number;
  expect(box!.x + box!.width, `${what}: ends inside the ${innerWidth} px window`).toBeLessThanOrEqual(
    innerWidth + 0.5,
  );
}

// Rehearse with a diff (issue 14) in Chromium: the preflight panel and the Run… dialog show the
// sample of the changes before the operator confirms; after the run, each sampled field holds the
// value the dialog showed as "after".
describe.skipIf(chromiumMissing !== null)('the console in Chromium: the change sample', () => {
  let d: TestDaemon;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    [d, browser] = await Promise.all([startTestDaemon({ tenants: 6, findings: 1500 }), launchChromium()]);
    context = await newConsoleContext(browser, d.url);
    page = await context.newPage();
    await signInThroughPage(page, 'operator@ops.local');
    await page.locator(RUNBOOK).waitFor();
  });
  afterAll(async () => {
    await browser?.close();
    await d?.stop();
  });

  it('shows the sample in the preflight panel, over several tenants', async () => {
    const card = page.locator(RUNBOOK);
    await card.getByRole('button', { name: 'Preflight' }).click();
    const sample = card.getByTestId('change-sample');
    await sample.waitFor();
    expect(await sample.textContent()).toMatch(/a sample of 20 records on all tenants \(\d+ tenants\)/);
    const tenants = await sample
      .locator('tbody tr td:nth-child(2)')
      .evaluateAll((cells) => [...new Set(cells.map((c) => c.textContent).filter(Boolean))]);
    expect(tenants.length).toBeGreaterThanOrEqual(4);
    expect(tenants).not.toContain('platform');
  });

  it('shows it in the Run… dialog before confirmation, readable at 1280 and 800 px; the run then writes each "after"', async () => {
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.reload();
    await page.locator(RUNBOOK).getByRole('button', { name: 'Run…' }).click();
    const dialog = page.getByRole('dialog');
    const sample = dialog.getByTestId('change-sample');
    await sample.waitFor();
    // Before any confirmation: nothing typed, the run not startable yet.
    expect(await dialog.getByRole('textbox', { name: /to confirm/ }).inputValue()).toBe('');
    const shown = await shownRows(sample);
    expect(new Set(shown.map((r) => r.key)).size).toBe(20);
    expect(await sample.getByRole('columnheader').allTextContents()).toEqual([
      'Finding',
      'Tenant',
      'Field',
      'Before',
      'After',
    ]);
    await fitsSideways(page, sample, 'dialog at 1280 px');
    await dialog.getByTestId('run-confirmation').waitFor();
    await checkpoint(page, 'change-sample-dialog-1280');
    await page.setViewportSize({ width: 800, height: 900 });
    await fitsSideways(page, sample, 'dialog at 800 px');
    await checkpoint(page, 'change-sample-dialog-800');

    await dialog.getByRole('combobox', { name: 'Reason code' }).fill('DATA_REPAIR');
    await dialog.getByRole('textbox', { name: 'Reason' }).fill('rebuild the lifecycle, as rehearsed');
    await dialog.getByRole('textbox', { name: /to confirm/ }).fill('BACKFILL');
    await dialog.getByRole('button', { name: 'Start run' }).click();
    await page.getByRole('dialog', { name: 'Run started' }).getByRole('link', { name: 'View run' }).click();
    await page.waitForURL(/\/system\/ops\/runs\/\d+$/);
    await page
      .locator('[data-testid="run-badges"] [data-badge="outcome"]')
      .filter({ hasText: 'Succeeded' })
      .waitFor({ timeout: 60_000 });
    for (const row of shown) {
      const field = row.field as Parameters<typeof lifecycleFieldText>[1];
      const [now] = await d.t.sql<{ v: string | null }>(
        `SELECT ${lifecycleFieldText(`f.${field}`, field)} AS v FROM public.findings f WHERE f.id = $1::bigint`,
        [row.key],
      );
      expect({ key: row.key, field, value: now!.v }).toEqual({ key: row.key, field, value: row.after });
    }
  });
});
