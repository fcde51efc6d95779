import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, type TestDaemon } from '../support/daemon.ts';
import { chromiumMissing, launchChromium, newConsoleContext } from './support/browser.ts';
import { checkpoint, signInThroughPage, waitForText } from './support/console-page.ts';

const RUNBOOK = '[data-runbook="findings.lifecycle.backfill"]';

// Four-eyes approval in Chromium, on the product's default policy (all-tenants runs need approval):
// the requester asks from the run dialog and cannot approve their own request (the controls say
// why); a second operator, in another browser session, approves it; the requester's page follows
// live and starts the approved run.
describe.skipIf(chromiumMissing !== null)('the console in Chromium: four-eyes approval', () => {
  let d: TestDaemon;
  let browser: Browser;
  let operatorContext: BrowserContext;
  let approverContext: BrowserContext;
  let operator: Page;
  let approver: Page;

  beforeAll(async () => {
    [d, browser] = await Promise.all([
      startTestDaemon({ tenants: 4, findings: 1500 }, {}, { approvals: 'product-default' }),
      launchChromium(),
    ]);
    operatorContext = await newConsoleContext(browser, d.url);
    approverContext = await newConsoleContext(browser, d.url);
    operator = await operatorContext.newPage();
    approver = await approverContext.newPage();
    await signInThroughPage(operator, 'operator@ops.local');
    await operator.locator(RUNBOOK).waitFor();
    await signInThroughPage(approver, 'approver@ops.local', '/system/ops/approvals');
  });
  afterAll(async () => {
    await browser?.close();
    await d?.stop();
  });

  let requestUrl = '';

  it('requests approval from the run dialog instead of starting an all-tenants run', async () => {
    await operator.locator(RUNBOOK).getByRole('button', { name: 'Run…' }).click();
    const dialog = operator.getByRole('dialog');
    await dialog.getByTestId('approval-needed').waitFor();
    expect(await dialog.getByTestId('approval-needed').textContent()).toMatch(
      /This run needs a second operator's approval \(all-tenants runs need approval\)/,
    );
    await dialog.getByRole('combobox', { name: 'Reason code' }).fill('DATA_REPAIR');
    await dialog.getByRole('textbox', { name: 'Reason' }).fill('rebuild lifecycle after import');
    await dialog.getByRole('textbox', { name: /to confirm/ }).fill('BACKFILL');
    expect(await dialog.getByRole('button', { name: 'Start run' }).count()).toBe(0);
    await dialog.getByRole('button', { name: 'Request approval' }).click();
    const requested = operator.getByRole('dialog', { name: 'Approval requested' });
    await requested.getByRole('link', { name: 'View request' }).click();
    await operator.waitForURL(/\/system\/ops\/approvals\/\d+$/);
    requestUrl = new URL(operator.url()).pathname;
    expect(await d.t.sql("SELECT id FROM ops.runs WHERE scope_kind = 'all'")).toEqual([]);
  });

  it('shows the requester their request waiting, with approve and reject disabled and the reason', async () => {
    await waitForText(operator.getByTestId('request-status'), 'Waiting for approval');
    await waitForText(
      operator.getByTestId('decide-blocked'),
      'You cannot approve or reject this request: you requested this run: another operator must approve or reject it.',
    );
    expect(await operator.getByRole('button', { name: 'Approve', exact: true }).isDisabled()).toBe(true);
    expect(await operator.getByRole('button', { name: 'Reject', exact: true }).isDisabled()).toBe(true);
    await checkpoint(operator, 'approval-request-own');
  });

  it('a second operator approves it with a comment; the requester sees it live and starts the run once', async () => {
    const id = requestUrl.split('/').at(-1)!;
    await approver
      .getByTestId(`request-row-${id}`)
      .getByRole('link', { name: `Request #${id}` })
      .click();
    await approver.waitForURL(new RegExp(`${requestUrl}$`));
    expect(await approver.getByTestId('decide-blocked').count()).toBe(0);
    const approve = approver.getByRole('button', { name: 'Approve', exact: true });
    expect(await approve.isDisabled()).toBe(true); // no comment yet
    await approver.getByRole('textbox', { name: 'Comment' }).fill('checked the preflight count');
    await approve.click();
    await waitForText(approver.getByTestId('request-status'), 'Approved');
    expect(await approver.getByRole('button', { name: 'Start approved run' }).count()).toBe(0); // no run rights

    await waitForText(operator.getByTestId('request-status'), 'Approved'); // live, no reload
    await operator.getByRole('button', { name: 'Start approved run' }).click();
    await operator.waitForURL(/\/system\/ops\/runs\/\d+$/);
    const [request] = await d.t.sql<{ status: string; run_id: string }>(
      'SELECT status, run_id::text FROM ops.run_requests WHERE id = $1',
      [id],
    );
    expect(request).toEqual({
      status: 'started',
      run_id: new URL(operator.url()).pathname.split('/').at(-1),
    });
    // The run page says who approved it, linking back to the request.
    await waitForText(
      operator.getByTestId('run-approval'),
      `Approved by approver@ops.local (request #${id})`,
    );
    await operator
      .getByTestId('run-approval')
      .getByRole('link', { name: `request #${id}` })
      .click();
    await operator.waitForURL(new RegExp(`${requestUrl}$`));
  });

  it('the requester withdraws a pending request from its page; the approver sees it withdrawn live', async () => {
    const api = d.client((await d.signIn('operator@ops.local')).cookie);
    const preflight = await api.runbooks.preflight.mutate({
      runbookId: 'findings.lifecycle.backfill',
      scope: { kind: 'all' },
    });
    const r = await api.approvals.request.mutate({
      runbookId: 'findings.lifecycle.backfill',
      scope: { kind: 'all' },
      reasonCode: 'DATA_REPAIR',
      reasonText: 'withdrawn from the console',
      confirmation: 'BACKFILL',
      preflightAffectedCount: preflight.affected_count,
    });
    const path = `/system/ops/approvals/${r.id}`;
    await approver.goto(new URL(path, d.url).toString());
    await waitForText(approver.getByTestId('request-status'), 'Waiting for approval');
    expect(await approver.getByRole('button', { name: 'Withdraw request' }).count()).toBe(0); // not theirs
    await operator.goto(new URL(path, d.url).toString());
    await operator.getByRole('button', { name: 'Withdraw request' }).click();
    await waitForText(operator.getByTestId('request-status'), 'Withdrawn');
    expect(await operator.getByRole('button', { name: 'Withdraw request' }).count()).toBe(0);
    await waitForText(approver.getByTestId('request-status'), 'Withdrawn'); // live, no reload
    const [row] = await d.t.sql<{ status: string }>('SELECT status FROM ops.run_requests WHERE id = $1', [
      r.id,
    ]);
    expect(row).toEqual({ status: 'withdrawn' });
  });
});
