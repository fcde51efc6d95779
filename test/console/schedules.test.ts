import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Api, RUNBOOK } from '../support/api-helpers.ts';
import { waitFor } from '../support/cli.ts';
import { startTestDaemon, type TestDaemon } from '../support/daemon.ts';
import { removeSlowFindingWrites, slowFindingWrites } from '../support/slow-writes.ts';
import { chromiumMissing, launchChromium, newConsoleContext } from './support/browser.ts';
import {
  checkpoint,
  fieldMessage,
  signInThroughPage,
  waitForFieldMessage,
  waitForToast,
} from './support/console-page.ts';

const NAME = 'Nightly lifecycle check';

// An operator's schedules, in order: the empty page, a new schedule with its live preview (a bad
// cron expression judged by the daemon's rule as it is typed), an edit to unattended runs (reason, typed
// phrase, a refusal shown on the field it names), a skipped tick and why, delete; then a viewer.
describe.skipIf(chromiumMissing !== null)('the console in Chromium: schedules', () => {
  let d: TestDaemon;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let api: Api;

  const row = (name: string) =>
    page.getByRole('table', { name: 'Schedules' }).getByRole('row').filter({ hasText: name });

  beforeAll(async () => {
    [d, browser] = await Promise.all([startTestDaemon({ tenants: 4, findings: 800 }), launchChromium()]);
    api = d.client((await d.signIn('operator@ops.local')).cookie);
    context = await newConsoleContext(browser, d.url);
    page = await context.newPage();
    await signInThroughPage(page, 'operator@ops.local', '/system/ops/schedules');
  });
  afterAll(async () => {
    await browser?.close();
    await d?.stop();
  });

  it('says there are no schedules yet, and leads to the page from the navigation', async () => {
    await page.getByRole('heading', { level: 1, name: 'Schedules' }).waitFor();
    await page.getByText('No schedules yet').waitFor();
    expect(await page.getByRole('navigation').getByRole('link', { name: 'Schedules' }).count()).toBe(1);
    await checkpoint(page, 'schedules-empty');
  });

  it('creates a schedule with a live preview of its fire times in the chosen time zone', async () => {
    await page.getByRole('button', { name: 'New schedule' }).click();
    const dialog = page.getByRole('dialog', { name: 'New schedule' });
    await dialog.getByRole('textbox', { name: 'Name' }).fill(NAME);
    await dialog.getByRole('combobox', { name: 'Runbook' }).click();
    await page.getByRole('option', { name: 'Rebuild Findings Lifecycle' }).click();

    // The daemon's cron rule judges the expression as it is typed (in the console, without a request).
    const cron = page.getByRole('textbox', { name: 'Cron expression' });
    await dialog.locator(cron).fill('61 * * * *');
    expect(await waitForFieldMessage(dialog, cron, /minute/)).toBe(
      'The minute field (1st) has “61”; minutes run from 0 to 59.',
    );
    await dialog.locator(cron).fill('30 3 * * *');
    await expect.poll(() => fieldMessage(dialog, cron), { timeout: 20_000 }).toBe('');

    const zone = dialog.getByRole('combobox', { name: 'Time zone' });
    await zone.click();
    await zone.fill('berlin');
    await page.getByRole('option', { name: 'Europe/Berlin' }).click();
    // Only an answer for what is typed now counts: an older one may stand in meanwhile, shown on the
    // clock of the zone it was worked out for and marked as not current.
    const preview = dialog.locator('[data-testid="fire-times-preview"] ul[data-current="true"]');
    await expect
      .poll(async () => (await preview.getByRole('listitem').allTextContents()).join(' | '), {
        timeout: 20_000,
      })
      .toMatch(/^(\w{3}, \w{3} \d+, 03:30 GMT\+[12]( \| )?){5}$/);
    expect(await dialog.getByRole('radio', { name: 'Preflight: alert on drift' }).isChecked()).toBe(true);
    await checkpoint(page, 'schedule-dialog');

    await dialog.getByRole('button', { name: 'Create schedule' }).click();
    expect(await waitForToast(page, /created/)).toContain(`Schedule “${NAME}” created.`);
    const created = row(NAME);
    await created.waitFor();
    const text = await created.textContent();
    for (const part of [
      'Rebuild Findings Lifecycle',
      'All tenants',
      'Preflight: alert on drift',
      '30 3 * * *',
      'Europe/Berlin',
      'On',
      'Not fired yet',
    ])
      expect(text).toContain(part);
    expect(
      await created
        .getByRole('list', { name: `Next fire times of ${NAME}` })
        .getByRole('listitem')
        .count(),
    ).toBe(3);
    await checkpoint(page, 'schedules-table');
  });

  it('turns it into unattended runs only with a reason and the typed phrase, and shows a refusal on its field', async () => {
    await row(NAME)
      .getByRole('button', { name: `Edit ${NAME}` })
      .click();
    const dialog = page.getByRole('dialog', { name: `Edit “${NAME}”` });
    await dialog.getByRole('radio', { name: 'Run: repair unattended' }).click();
    const blocker = dialog.getByTestId('schedule-blocker');
    expect(await blocker.textContent()).toBe('Choose a reason code: scheduled runs are unattended.');
    await dialog.getByTestId('scheduled-run-warning').waitFor();
    await dialog.getByRole('combobox', { name: 'Reason code' }).fill('DATA_REPAIR');
    await dialog.getByRole('textbox', { name: 'Reason' }).fill('repair lifecycles every night');
    expect(await blocker.textContent()).toBe('Type BACKFILL to confirm runs on all tenants.');
    await dialog.getByRole('textbox', { name: /to confirm runs on all tenants/ }).fill('BACKFILL');
    expect(await blocker.count()).toBe(0);

    // A name longer than the daemon accepts: its refusal shows on the Name field.
    const name = page.getByRole('textbox', { name: 'Name' });
    await dialog.locator(name).fill('n'.repeat(101));
    await dialog.getByRole('button', { name: 'Save schedule' }).click();
    expect(await waitForFieldMessage(dialog, name, /100/)).toMatch(/100 characters/);
    await checkpoint(page, 'schedule-run-mode-refused');

    await dialog.locator(name).fill(NAME);
    await dialog.getByRole('button', { name: 'Save schedule' }).click();
    await dialog.waitFor({ state: 'detached' });
    await waitForToast(page, /saved/);
    await row(NAME).filter({ hasText: 'Run: repair unattended' }).waitFor();
    const saved = (await api.schedules.list.query()).find((s) => s.name === NAME)!;
    expect(saved).toMatchObject({ mode: 'run', reasonCode: 'DATA_REPAIR', timezone: 'Europe/Berlin' });
  });

  it('shows the last occurrence of a schedule, and why a tick was skipped', async () => {
    const [tenant] = await d.t.sql<{ id: string }>("SELECT id FROM tenants WHERE external_id = 'tenant-4'");
    const scope = { kind: 'tenant' as const, tenantId: Number(tenant!.id) };
    await slowFindingWrites(d.t, 4000);
    const preflight = await api.runbooks.preflight.mutate({ runbookId: RUNBOOK, scope });
    const { runId } = await api.runbooks.run.mutate({
      runbookId: RUNBOOK,
      scope,
      preflightAffectedCount: preflight.affected_count,
    });
    const watch = await api.schedules.create.mutate({
      name: 'tenant-4 repair',
      cron: '* * * * * *',
      runbookId: RUNBOOK,
      scope,
      mode: 'run',
      reasonCode: 'DATA_REPAIR',
      reasonText: 'every second, for the test',
    });
    await waitFor(async () =>
      (await api.schedules.occurrences.query({ id: watch.id })).find((o) => o.status === 'skipped'),
    );
    await api.schedules.update.mutate({ id: watch.id, enabled: false });
    await api.runs.cancel.mutate({ id: runId });
    await removeSlowFindingWrites(d.t);

    await page.reload();
    const skipped = row('tenant-4 repair');
    await skipped.locator('[data-occurrence="skipped"]').waitFor();
    const text = await skipped.textContent();
    expect(text).toMatch(new RegExp(`Skipped: lock held: run ${runId} `));
    expect(text).toContain('Disabled: does not fire');
    expect(text).toContain('Off');
    await checkpoint(page, 'schedule-skipped');
  });

  it('deletes a schedule after a confirmation that names it', async () => {
    await row(NAME)
      .getByRole('button', { name: `Delete ${NAME}` })
      .click();
    const confirm = page.getByRole('alertdialog', { name: 'Delete this schedule?' });
    expect(await confirm.textContent()).toContain(`“${NAME}” stops firing at once`);
    await confirm.getByRole('button', { name: 'Delete schedule' }).click();
    await confirm.waitFor({ state: 'detached' });
    await waitForToast(page, /deleted/);
    await row(NAME).waitFor({ state: 'detached' });
    expect((await api.schedules.list.query()).map((s) => s.name)).toEqual(['tenant-4 repair']);
  });

  it('shows a viewer the schedules without any way to change them (dark theme)', async () => {
    const dark = await newConsoleContext(browser, d.url, { colorScheme: 'dark' });
    const viewer = await dark.newPage();
    await signInThroughPage(viewer, 'viewer@ops.local', '/system/ops/schedules');
    await viewer
      .getByRole('table', { name: 'Schedules' })
      .getByRole('row')
      .filter({ hasText: 'tenant-4 repair' })
      .waitFor();
    expect(await viewer.getByRole('button', { name: 'New schedule' }).count()).toBe(0);
    expect(await viewer.getByRole('button', { name: /^(Edit|Delete) / }).count()).toBe(0);
    expect(
      await viewer.getByText(/changing them needs the capability platform\.schedules\.manage/).count(),
    ).toBe(1);
    await checkpoint(viewer, 'schedules-viewer-dark');
    await dark.close();
  });
});
