import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csvOf, journal, sha256Of } from '../csv/csv-fixtures.ts';
import { startTestDaemon, type TestDaemon } from '../support/daemon.ts';
import { gateFindingWrites, type WriteGate } from '../support/write-gate.ts';
import { chromiumMissing, launchChromium, newConsoleContext } from './support/browser.ts';
import { checkpoint, signInThroughPage } from './support/console-page.ts';

const CARD = '[data-runbook="findings.ids.close"]';

// A CSV-input runbook from the console: the run dialog's file picker checks the file by the
// daemon's rules (errors by line and column), preflights on it, starts the run; the run page shows
// the file's name, rows and hash; a pause mid-file and a resume apply every row exactly once. The
// run is held part-way in the database (write-gate.ts) while the test pauses it.
describe.skipIf(chromiumMissing !== null)('the console in Chromium: a runbook with a CSV input', () => {
  let d: TestDaemon;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let gate: WriteGate;
  let listed: string[];
  let text: string;

  const statusBadge = () => page.locator('[data-testid="run-badges"] [data-badge="status"]');
  const outcomeBadge = () => page.locator('[data-testid="run-badges"] [data-badge="outcome"]');
  const openRunDialog = async () => {
    await page.goto('/system/ops/runbooks');
    await page.locator(CARD).getByRole('button', { name: 'Run…' }).click();
    return page.getByRole('dialog');
  };
  const choose = (name: string, content: string) =>
    page
      .getByTestId('csv-file-input')
      .setInputFiles({ name, mimeType: 'text/csv', buffer: Buffer.from(content, 'utf8') });

  beforeAll(async () => {
    [d, browser] = await Promise.all([
      startTestDaemon({ tenants: 3, findings: 600 }, { OPS_CHUNK_SIZE: '20' }),
      launchChromium(),
    ]);
    await d.t.sql("UPDATE findings SET status = 'open'");
    const rows = await d.t.sql<{ id: string; external_id: string }>(
      'SELECT f.id::text, t.external_id FROM findings f JOIN tenants t ON t.id = f.tenant_id ORDER BY f.id',
    );
    const customer = rows.filter((r) => r.external_id !== 'platform').map((r) => r.id);
    const platform = rows.filter((r) => r.external_id === 'platform').map((r) => r.id);
    listed = [...customer.slice(0, 200), platform[0]!, '987654321'];
    text = csvOf(listed);
    context = await newConsoleContext(browser, d.url);
    page = await context.newPage();
    await signInThroughPage(page, 'operator@ops.local');
    await page.locator(CARD).waitFor();
  });
  afterAll(async () => {
    await browser?.close();
    await d?.stop();
  });

  it('says on the card that the runbook takes a CSV file', async () => {
    expect(await page.locator(CARD).getByTestId('runbook-input').textContent()).toMatch(
      /Takes a CSV file \(finding_id \(integer\), note \(text, optional\)\)/,
    );
  });

  it('refuses a bad file in the run dialog by line and column, and cannot start', async () => {
    const dialog = await openRunDialog();
    expect(await dialog.getByTestId('run-blocker').textContent()).toBe(
      'Choose a CSV file that passes the check',
    );
    await choose('bad.csv', `finding_id,note\r\n${listed[0]},ok\r\nabc,x\r\n${listed[1]},a,b\r\n`);
    const problems = dialog.getByTestId('csv-problems');
    await problems.waitFor();
    expect(await problems.getByRole('listitem').allTextContents()).toEqual([
      'line 3, column finding_id: must be an integer (got "abc")',
      'line 4: has 3 fields; the header has 2',
    ]);
    expect(await dialog.getByRole('button', { name: 'Start run' }).getAttribute('aria-disabled')).toBe(
      'true',
    );
    await checkpoint(page, 'csv-bad-file');
    await choose('header.csv', 'id,note\r\n1,x\r\n');
    await dialog
      .getByText('line 1, column id: unknown column (this runbook takes finding_id, note)')
      .waitFor();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
  });

  it('checks, preflights and runs a good file; the run page shows its name, rows and hash', async () => {
    gate = await gateFindingWrites(d.t, 2); // the run stands still after two chunks, to be paused
    const dialog = await openRunDialog();
    await choose('incident-42.csv', text);
    expect(await dialog.getByTestId('csv-file-ok').textContent()).toBe('incident-42.csv: 202 rows, checked');
    await dialog.getByTestId('run-confirmation').waitFor();
    expect(await dialog.getByTestId('run-confirmation').textContent()).toMatch(
      /change 200 records on all tenants/,
    );
    await checkpoint(page, 'csv-run-dialog');
    await dialog.getByRole('combobox', { name: 'Reason code' }).fill('INCIDENT');
    await dialog.getByRole('textbox', { name: 'Reason' }).fill('close the findings of incident 42');
    await dialog.getByRole('textbox', { name: /to confirm/ }).fill('CLOSE');
    await dialog.getByRole('button', { name: 'Start run' }).click();
    await page.getByRole('dialog', { name: 'Run started' }).getByRole('link', { name: 'View run' }).click();
    await page.waitForURL(/\/system\/ops\/runs\/\d+$/);
    expect(await page.getByTestId('run-input-name').textContent()).toBe('incident-42.csv');
    expect(await page.getByTestId('run-input-rows').textContent()).toBe('202');
    expect(await page.getByTestId('run-input-sha256').textContent()).toBe(sha256Of(text));
  });

  it('pauses mid-file and resumes after the last committed chunk, applying every row exactly once', async () => {
    const runId = page.url().split('/').at(-1)!;
    await statusBadge().filter({ hasText: 'Running' }).waitFor();
    await page.getByRole('button', { name: 'Pause' }).click();
    await page
      .getByRole('alertdialog', { name: 'Pause this run?' })
      .getByRole('button', { name: 'Pause run' })
      .click();
    await page.locator('.fui-ToastTitle').filter({ hasText: 'Pause requested' }).first().waitFor();
    await gate.open(); // the chunks under way finish, then the run stops at its checkpoint
    await statusBadge().filter({ hasText: 'Paused' }).waitFor({ timeout: 20_000 });
    const atPause = await journal(d.t);
    expect(atPause.length).toBeGreaterThan(0);
    expect(atPause.length).toBeLessThan(200);
    await checkpoint(page, 'csv-run-paused');
    await page.getByRole('button', { name: 'Resume' }).click();
    await page
      .getByRole('alertdialog', { name: 'Resume this run?' })
      .getByRole('button', { name: 'Resume run' })
      .click();
    await outcomeBadge().filter({ hasText: 'Succeeded' }).waitFor({ timeout: 45_000 });
    const rows = await journal(d.t);
    expect(rows.map((r) => r.row_number)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    expect(new Set(rows.map((r) => r.run_id))).toEqual(new Set([runId]));
    const [run] = await d.t.sql<{ summary: Record<string, number> }>(
      'SELECT summary FROM ops.runs WHERE id = $1',
      [runId],
    );
    expect(run!.summary).toMatchObject({ updated_count: 200, total_scanned: 202, not_found_count: 2 });
    await checkpoint(page, 'csv-run-completed');
  });
});
