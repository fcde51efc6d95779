import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, type TestDaemon } from '../support/daemon.ts';
import { removeSlowFindingWrites, slowFindingWrites } from '../support/slow-writes.ts';
import { gateFindingWrites, type WriteGate } from '../support/write-gate.ts';
import { chromiumMissing, launchChromium, newConsoleContext, screenshot } from './support/browser.ts';
import { checkpoint, InteractionCounter, signInThroughPage } from './support/console-page.ts';

const RUNBOOK = '[data-runbook="findings.lifecycle.backfill"]';

// One operator's session through the life of two runs, in order: a single-tenant run (picker,
// pause, a lock conflict while it is paused, resume), then an all-tenants run (typed confirmation,
// ≤ 3 interactions to its detail, live progress), then "Nothing to do". Runs are held part-way in
// the database (write-gate.ts) while the test watches or pauses them, and let go when it says so:
// every wait is on a condition, never on the machine being fast enough.
describe.skipIf(chromiumMissing !== null)('the console in Chromium: running a runbook', () => {
  let d: TestDaemon;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let tenantRunId = '';
  let gate: WriteGate;

  const statusBadge = () => page.locator('[data-testid="run-badges"] [data-badge="status"]');
  const outcomeBadge = () => page.locator('[data-testid="run-badges"] [data-badge="outcome"]');
  const openRunDialog = async () => {
    await page.goto('/system/ops/runbooks');
    await page.locator(RUNBOOK).getByRole('button', { name: 'Run…' }).click();
    return page.getByRole('dialog');
  };

  beforeAll(async () => {
    [d, browser] = await Promise.all([
      startTestDaemon({ tenants: 5, findings: 2000 }, { OPS_CHUNK_SIZE: '50' }),
      launchChromium(),
    ]);
    context = await newConsoleContext(browser, d.url);
    page = await context.newPage();
    await signInThroughPage(page, 'operator@ops.local');
    await page.locator(RUNBOOK).waitFor();
  });
  afterAll(async () => {
    await browser?.close();
    await d?.stop();
  });

  it('reveals the tenant picker as soon as "Single tenant" is chosen, without a submit', async () => {
    gate = await gateFindingWrites(d.t, 2); // the run stands still after two chunks, to be paused
    const dialog = await openRunDialog();
    const picker = dialog.getByRole('combobox', { name: 'Tenant' });
    expect(await dialog.getByRole('radio', { name: 'All tenants' }).isChecked()).toBe(true);
    expect(await picker.count()).toBe(0);
    await dialog.getByRole('radio', { name: 'Single tenant' }).click();
    await picker.waitFor({ timeout: 2000 });
    expect(await dialog.getByTestId('run-blocker').textContent()).toBe('Choose the tenant to run on.');
    await picker.pressSequentially('tenant-1');
    await page.getByRole('option', { name: /· tenant-1$/ }).click();
    await dialog.getByTestId('run-confirmation').waitFor();
    expect(await dialog.getByTestId('run-confirmation').textContent()).toMatch(/on tenant .* \(tenant-1\)/);
    await checkpoint(page, 'single-tenant-picker');
    await dialog.getByRole('button', { name: 'Start run' }).click();
    await page.getByRole('dialog', { name: 'Run started' }).getByRole('link', { name: 'View run' }).click();
    await page.waitForURL(/\/system\/ops\/runs\/\d+$/);
    tenantRunId = page.url().split('/').at(-1)!;
  });

  it('pauses a running run after a confirmation', async () => {
    await statusBadge().filter({ hasText: 'Running' }).waitFor();
    await page.getByRole('button', { name: 'Pause' }).click();
    const confirm = page.getByRole('alertdialog', { name: 'Pause this run?' });
    expect(await confirm.textContent()).toMatch(/Nothing already written is undone/);
    await confirm.getByRole('button', { name: 'Pause run' }).click();
    // Recorded by the daemon (the toast follows its answer) before the held chunks may finish.
    await page.locator('.fui-ToastTitle').filter({ hasText: 'Pause requested' }).first().waitFor();
    await gate.open(); // the chunks under way finish, then the run stops at its checkpoint
    await statusBadge().filter({ hasText: 'Paused' }).waitFor({ timeout: 20_000 });
    await page.getByText('Paused at a checkpoint. Resume continues from there.').waitFor();
    await checkpoint(page, 'run-paused');
  });

  it('says who holds the lock, and since when, when another run needs the same scope', async () => {
    const dialog = await openRunDialog();
    await dialog.getByTestId('run-confirmation').waitFor();
    await dialog.getByRole('combobox', { name: 'Reason code' }).fill('DATA_REPAIR');
    await dialog.getByRole('textbox', { name: 'Reason' }).fill('finish the lifecycle rebuild everywhere');
    await dialog.getByRole('textbox', { name: /to confirm/ }).fill('BACKFILL');
    await dialog.getByRole('button', { name: 'Start run' }).click();
    const conflict = dialog.locator('[data-error-code="CONFLICT"]');
    await conflict.waitFor();
    const text = await conflict.textContent();
    expect(text).toMatch(/Another run holds the lock for this scope/);
    expect(text).toMatch(
      new RegExp(
        `Run #${tenantRunId}, started by operator@ops\\.local, has been working on an overlapping scope since `,
      ),
    );
    expect(await conflict.getByRole('link', { name: `Open run #${tenantRunId}` }).count()).toBe(1);
    await checkpoint(page, 'lock-conflict-409');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
  });

  it('resumes the paused run after a confirmation, and it completes', async () => {
    await slowFindingWrites(d.t, 100);
    await page.goto(`/system/ops/runs/${tenantRunId}`);
    await page.getByRole('button', { name: 'Resume' }).click();
    await page
      .getByRole('alertdialog', { name: 'Resume this run?' })
      .getByRole('button', { name: 'Resume run' })
      .click();
    await outcomeBadge().filter({ hasText: 'Succeeded' }).waitFor({ timeout: 45_000 });
    expect(await statusBadge().textContent()).toBe('Completed');
    const timeline = page.getByRole('list', { name: 'Audit timeline' });
    await timeline.filter({ hasText: 'Run completed' }).waitFor();
    const audit = await timeline.textContent();
    for (const step of ['Run started', 'Pause requested', 'Run resumed']) expect(audit).toContain(step);
  });

  it('starts an all-tenants run with reason and typed BACKFILL, reaching its detail in at most 3 interactions', async () => {
    await removeSlowFindingWrites(d.t);
    gate = await gateFindingWrites(d.t, 4); // held after four chunks: the next test watches it
    await page.goto('/system/ops/runbooks');
    const user = new InteractionCounter();
    await user.click(page.locator(RUNBOOK).getByRole('button', { name: 'Run…' }));
    const dialog = page.getByRole('dialog');
    await dialog.getByTestId('run-confirmation').waitFor();
    const start = dialog.getByRole('button', { name: 'Start run' });
    expect(await start.getAttribute('aria-disabled')).toBe('true');
    expect(await dialog.getByTestId('run-confirmation').textContent()).toMatch(
      /This run modifies customer data.*It will change [\d,]+ records on all tenants/,
    );
    await user.type(dialog.getByRole('combobox', { name: 'Reason code' }), 'DATA_REPAIR');
    await user.type(
      dialog.getByRole('textbox', { name: 'Reason' }),
      'rebuild lifecycles after the 2026-11 import',
    );
    expect(await dialog.getByText('43 / 500 characters', { exact: false }).count()).toBe(1);
    await user.type(dialog.getByRole('textbox', { name: /to confirm/ }), 'BACKFIL');
    expect(await start.getAttribute('aria-disabled')).toBe('true');
    await user.type(dialog.getByRole('textbox', { name: /to confirm/ }), 'BACKFILL');
    await screenshot(page, 'all-tenants-confirmation');
    await user.click(start);
    await user.click(
      page.getByRole('dialog', { name: 'Run started' }).getByRole('link', { name: 'View run' }),
    );
    await page.getByRole('heading', { level: 1, name: /^Run #\d+: / }).waitFor();
    expect(user.count).toBeLessThanOrEqual(3);
    expect(new URL(page.url()).pathname).toMatch(/^\/system\/ops\/runs\/\d+$/);
  });

  it('follows the run live, with progress, rate and time left, until it completes', async () => {
    const progress = page.getByTestId('run-progress');
    await progress.waitFor();
    const percent = page.getByTestId('progress-percent');
    const runId = page.url().split('/').at(-1)!;
    const recorded = async () => {
      const [row] = await d.t.sql<{ processed: string | null; total: string | null }>(
        `SELECT progress->>'processed' AS processed, progress->>'total' AS total FROM ops.runs WHERE id = $1`,
        [runId],
      );
      return { processed: Number(row?.processed ?? 0), total: Number(row?.total ?? 0) };
    };
    const midway = async () => {
      const shown = (await percent.textContent().catch(() => null)) ?? '';
      return /^\d+%$/.test(shown) && shown !== '0%' && shown !== '100%' ? shown : null;
    };
    // Chunk by chunk until the run's record shows progress; held there, the page must show it.
    await gate.stepUntil(async () => (await recorded()).processed > 0);
    const first = await expect.poll(midway, { timeout: 30_000 }).not.toBeNull().then(midway);
    expect(await progress.textContent()).toMatch(/records\/s/);
    await checkpoint(page, 'live-progress');
    // More chunks, until the record is a whole percent further: the page follows without a reload.
    const { processed, total } = await recorded();
    await gate.stepUntil(async () => (await recorded()).processed >= processed + Math.ceil(total / 50));
    await expect.poll(async () => (await midway()) ?? first, { timeout: 30_000 }).not.toBe(first);
    expect(Number.parseInt((await midway()) ?? '100', 10)).toBeGreaterThan(Number.parseInt(first!, 10));
    await gate.open();
    await outcomeBadge().filter({ hasText: 'Succeeded' }).waitFor({ timeout: 60_000 });
    await page.locator('[data-summary="updated_count"]').waitFor();
    await page.getByRole('list', { name: 'Audit timeline' }).filter({ hasText: 'Run completed' }).waitFor();
    await checkpoint(page, 'run-completed');
  });

  it('disables Run with a clear "Nothing to do" once the run has repaired everything', async () => {
    const dialog = await openRunDialog();
    await dialog.getByTestId('nothing-to-do').waitFor();
    const button = dialog.getByRole('button', { name: 'Nothing to do' });
    expect(await button.getAttribute('aria-disabled')).toBe('true');
    expect(await dialog.getByTestId('run-blocker').textContent()).toMatch(
      /^Nothing to do: preflight found no records/,
    );
    await checkpoint(page, 'nothing-to-do');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    const card = page.locator(RUNBOOK);
    await card.getByRole('button', { name: 'Preflight' }).click();
    await card.getByText('Nothing to do: every record on all tenants is already correct.').waitFor();
  });

  it('lists the runs in a sortable table whose rows open the run', async () => {
    await page.getByRole('navigation').getByRole('link', { name: 'Runs' }).click();
    const table = page.getByRole('table', { name: 'Runs' });
    await table.waitFor();
    expect(await table.getByRole('row').count()).toBe(3); // header + two runs
    await table.getByRole('columnheader', { name: 'Run', exact: true }).click(); // ascending by id
    // Sorted by the daemon (all runs, not the page): the rows change when its answer arrives.
    await expect
      .poll(() => table.getByRole('row').nth(1).textContent(), { timeout: 15_000 })
      .toContain(`#${tenantRunId}`);
    await checkpoint(page, 'runs-table');
    await table.getByRole('row').nth(1).getByRole('cell').nth(1).click();
    await page.waitForURL(new RegExp(`/system/ops/runs/${tenantRunId}$`));
  });

  it('filters the audit log and exports it as CSV', async () => {
    await page.getByRole('navigation').getByRole('link', { name: 'Audit log' }).click();
    await page.getByRole('table', { name: 'Audit events' }).waitFor();
    await page.getByRole('textbox', { name: 'Run' }).fill(tenantRunId);
    await page.waitForURL(new RegExp(`[?&]run=${tenantRunId}(&|$)`)); // the filter is in the URL
    await page.getByRole('cell', { name: 'Pause requested' }).waitFor();
    await expect
      .poll(() => page.getByRole('cell', { name: 'Preflight' }).count(), { timeout: 15_000 })
      .toBe(0);
    await checkpoint(page, 'audit-log');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export CSV' }).click(),
    ]);
    const csv = await (await download.createReadStream()).toArray();
    const text = Buffer.concat(csv as Buffer[]).toString('utf8');
    expect(download.suggestedFilename()).toMatch(/^audit-.*\.csv$/);
    expect(text.split('\r\n')[0]).toBe(
      'id,occurred_at,action,actor,run_id,runbook_id,scope,outcome,ip,details',
    );
    expect(text).toContain(',run.pause_requested,operator@ops.local,');
  });
});
