import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, type TestDaemon } from '../support/daemon.ts';
import { chromiumMissing, launchChromium, newConsoleContext } from './support/browser.ts';
import { signInThroughPage } from './support/console-page.ts';

const RUNBOOK_ID = 'findings.lifecycle.backfill';
const RUNBOOK = `[data-runbook="${RUNBOOK_ID}"]`;
const WHY = 'the journal trigger is missing or disabled on public.findings';

// A reversible runbook whose journal is not in place on this database (here a DBA disabled the
// trigger): the Run… dialog says before confirmation that the run would not be reversible and why,
// and the run's page says it cannot be reverted, with that reason.
describe.skipIf(chromiumMissing !== null)('the console in Chromium: a run that cannot be reverted', () => {
  let d: TestDaemon;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    [d, browser] = await Promise.all([
      startTestDaemon({ tenants: 3, findings: 900, drift: 0.5 }),
      launchChromium(),
    ]);
    await d.t.sql('ALTER TABLE public.findings DISABLE TRIGGER ops_journal_update');
    context = await newConsoleContext(browser, d.url);
    page = await context.newPage();
    await signInThroughPage(page, 'operator@ops.local');
    await page.locator(RUNBOOK).waitFor();
  });
  afterAll(async () => {
    await browser?.close();
    await d?.stop();
  });

  it('warns in the Run… dialog, and the run page says why it cannot be reverted', async () => {
    await page.locator(RUNBOOK).getByRole('button', { name: 'Run…' }).click();
    const dialog = page.getByRole('dialog');
    const warning = dialog.getByTestId('not-reversible');
    await warning.waitFor();
    expect(await warning.textContent()).toContain(`Not reversible here`);
    expect(await warning.textContent()).toContain(WHY);

    const started = await d.daemon.ops.service.start({
      runbookId: RUNBOOK_ID,
      scope: { kind: 'externalId', externalId: 'tenant-2' },
      actor: { kind: 'system', label: 'system:cli' },
    });
    const ran = await started.done;
    expect(ran.summary.updated_count).toBeGreaterThan(0);
    expect(ran.context.journal).toEqual({ status: 'unavailable', reason: expect.stringContaining(WHY) });
    await page.goto(`/system/ops/runs/${ran.id}`);
    await page
      .getByTestId('revert-unavailable')
      .filter({ hasText: `run ${ran.id} cannot be reverted: it ran without the journal: ${WHY}` })
      .waitFor();
    expect(await page.getByTestId('revert-panel').getByRole('button', { name: 'Revert run' }).count()).toBe(
      0,
    );
  });
});
