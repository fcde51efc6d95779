import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { definition, writePlugin } from '../plugins/plugin-fixtures.ts';
import { refusedUrl, startWebhookPeer, type WebhookPeer } from '../support/alert-peers.ts';
import type { Api } from '../support/api-helpers.ts';
import { startTestDaemon, type TestDaemon } from '../support/daemon.ts';
import { chromiumMissing, launchChromium, newConsoleContext } from './support/browser.ts';
import { checkpoint, fieldMessage, signInThroughPage, waitForFieldMessage } from './support/console-page.ts';

const DEDUPE = '[data-runbook="findings.events.dedupe"]';
const LIFECYCLE = '[data-runbook="findings.lifecycle.backfill"]';
const SHOWCASE = '[data-runbook="acme.params.showcase"]';

/** A third-party runbook taking one parameter of every kind; its preflight reports the batch size. */
const SHOWCASE_PLUGIN = `import { defineRunbook } from '@ops/runbook-sdk';
import { z } from 'zod';
export default defineRunbook({
  id: 'acme.params.showcase', version: '1.0.0', title: 'Parameter showcase', sdk: '^2.0.0',
  description: 'Changes nothing; takes one parameter of every kind the console can render.',
  capability: 'platform.runbooks.acme_params', scopes: ['all', 'tenant'], confirmationPhrase: 'SHOW',
  parameters: z.object({
    ticket: z.string().regex(/^INC-\\d+$/, 'must look like INC-123').describe('The incident this belongs to.'),
    batchSize: z.number().int().min(1).max(500).default(50),
    ratio: z.number().min(0).max(1).optional(),
    mode: z.enum(['fast', 'thorough']).default('fast'),
    since: z.iso.date().optional(),
    dryRun: z.boolean().default(true),
  }),
  summaryKeys: ['tickets_checked'],
  preflight: async (ctx) => ({ affected_count: Number(ctx.params.batchSize), tickets_checked: 1204, undeclared_figure: 7 }),
  run: async () => ({}),
});
`;

// The runbooks page with third-party plugins: a refused plugin shown as such, a parameter form
// rendered from a runbook's description (and the daemon's verdict on a parameter), a dry run of
// findings.events.dedupe through the Run dialog whose detail shows its parameters and alert
// deliveries, and the lifecycle runbook's quick estimate while its exact preflight runs.
describe.skipIf(chromiumMissing !== null)('the console in Chromium: runbook plugins and parameters', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-console-plugins-'));
  fs.chmodSync(root, 0o755);
  const broken = writePlugin(root, 'broken', definition("sdk: '^9.0.0',"));
  const showcase = writePlugin(root, 'showcase', SHOWCASE_PLUGIN);
  let d: TestDaemon;
  let hook: WebhookPeer;
  let api: Api;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    [hook, browser] = await Promise.all([startWebhookPeer(), launchChromium()]);
    // More findings than the lifecycle estimate counts outright (20,000), so all tenants is sampled.
    d = await startTestDaemon(
      { tenants: 3, findings: 24_000, drift: 0.3 },
      { OPS_PLUGINS: `${broken},${showcase}`, OPS_ALERT_RETRY_MS: '50' },
    );
    api = d.client((await d.signIn('operator@ops.local')).cookie);
    // Known duplicate events in tenant-1, for the dedupe runbook to find.
    await d.t.sql(
      `INSERT INTO finding_events (finding_id, tenant_id, kind, observed_at)
       SELECT DISTINCT ON (e.finding_id) e.finding_id, e.tenant_id, e.kind, e.observed_at
         FROM finding_events e JOIN tenants t ON t.id = e.tenant_id
        WHERE t.external_id = 'tenant-1' ORDER BY e.finding_id, e.id LIMIT 40`,
    );
    context = await newConsoleContext(browser, d.url);
    page = await context.newPage();
    await signInThroughPage(page, 'operator@ops.local');
    await page.locator(LIFECYCLE).waitFor();
  });
  afterAll(async () => {
    await browser?.close();
    await d?.stop();
    await hook?.close();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('shows a plugin the daemon refused as a disabled card with the reason, and no actions', async () => {
    const card = page.locator('[data-runbook="acme.things.fix"]');
    expect(await card.getAttribute('data-available')).toBe('false');
    expect(await card.getAttribute('aria-disabled')).toBe('true');
    const reason = card.getByRole('group', { name: 'The daemon did not load this plugin' });
    expect(await reason.textContent()).toContain('sdk range "^9.0.0" does not accept this SDK');
    expect(await card.getByRole('button').count()).toBe(0);
    await checkpoint(page, 'runbooks-unavailable-plugin');
  });

  it('renders a form from the runbook’s parameters, checks it, and shows the daemon’s verdict on the field', async () => {
    const card = page.locator(SHOWCASE);
    const ticket = page.getByRole('textbox', { name: 'Ticket' });
    expect(await card.getByRole('spinbutton', { name: 'Batch size' }).inputValue()).toBe('50');
    expect(await card.getByRole('spinbutton', { name: 'Ratio' }).inputValue()).toBe('');
    expect(await card.getByRole('combobox', { name: 'Mode' }).textContent()).toContain('fast');
    expect(await card.getByLabel('Since').getAttribute('type')).toBe('date');
    expect(await card.getByRole('switch', { name: 'Dry run' }).isChecked()).toBe(true);

    await card.getByRole('button', { name: 'Preflight' }).click();
    expect(await waitForFieldMessage(card, ticket, /required/)).toBe(
      'Enter a value: this parameter is required.',
    );

    await card.locator(ticket).fill('not-a-ticket');
    await card.getByRole('button', { name: 'Preflight' }).click();
    expect(await waitForFieldMessage(card, ticket, /INC/)).toBe('Must look like INC-123.');
    expect(await card.locator('[data-error-code]').count()).toBe(0); // on the field, not twice

    await card.locator(ticket).fill('INC-42');
    await card.getByRole('spinbutton', { name: 'Batch size' }).fill('120');
    await card.getByRole('spinbutton', { name: 'Batch size' }).press('Tab');
    await card.getByRole('combobox', { name: 'Mode' }).click();
    await page.getByRole('option', { name: 'thorough' }).click();
    await card.getByRole('button', { name: 'Preflight' }).click();
    await card.locator('[data-stat="affected"]').filter({ hasText: '120' }).waitFor();
    expect(await fieldMessage(card, ticket)).toBe('');
    // The runbook's declared summary key is shown with the core figures; an undeclared one is not.
    expect(await card.locator('[data-stat="tickets_checked"]').textContent()).toBe('Tickets checked1,204');
    expect(await card.locator('[data-stat="undeclared_figure"]').count()).toBe(0);
    await checkpoint(page, 'runbook-parameter-form');
  });

  it('starts a dry run from the Run dialog; its detail shows the parameters and the alert deliveries', async () => {
    await api.alerts.create.mutate({
      kind: 'teams',
      name: 'Ops channel',
      webhookUrl: hook.url,
      notifyOnSuccess: true,
    });
    await api.alerts.create.mutate({
      kind: 'teams',
      name: 'Dead channel',
      webhookUrl: await refusedUrl('http'),
      notifyOnSuccess: true,
    });
    const card = page.locator(DEDUPE);
    await card.getByRole('switch', { name: 'Dry run' }).click();
    await card.getByRole('button', { name: 'Run…' }).click();
    const dialog = page.getByRole('dialog');
    expect(await dialog.getByRole('switch', { name: 'Dry run' }).isChecked()).toBe(true); // carried over
    await dialog.getByRole('radio', { name: 'Single tenant' }).click();
    await dialog.getByRole('combobox', { name: 'Tenant' }).pressSequentially('tenant-1');
    await page.getByRole('option', { name: /· tenant-1$/ }).click();
    await dialog.getByTestId('run-confirmation').waitFor();
    await checkpoint(page, 'run-dialog-parameters');
    await dialog.getByRole('button', { name: 'Start run' }).click();
    await page.getByRole('dialog', { name: 'Run started' }).getByRole('link', { name: 'View run' }).click();
    await page.waitForURL(/\/system\/ops\/runs\/\d+$/);
    const runId = page.url().split('/').at(-1)!;
    expect((await api.runs.get.query({ id: runId })).params).toEqual({ dryRun: true });

    await page
      .locator('[data-testid="run-badges"] [data-badge="outcome"]')
      .filter({ hasText: 'Succeeded' })
      .waitFor({
        timeout: 30_000,
      });
    await page.getByRole('heading', { level: 3, name: 'Parameters' }).waitFor();
    expect(await page.locator('[data-param="dryRun"]').textContent()).toBe('Dry runYes');

    const deliveries = page.getByRole('table', { name: 'Alert deliveries' });
    const delivered = deliveries.getByRole('row').filter({ hasText: 'Ops channel' });
    const failed = deliveries.getByRole('row').filter({ hasText: 'Dead channel' });
    await delivered.filter({ hasText: 'Delivered' }).waitFor({ timeout: 20_000 });
    await failed.filter({ hasText: 'Not delivered' }).waitFor({ timeout: 20_000 });
    expect(await delivered.textContent()).toMatch(/Run succeeded.*Delivered.*1 of 3/);
    expect(await failed.textContent()).toMatch(/Not delivered.*3 of 3.*refused the connection/);
    await checkpoint(page, 'run-detail-parameters-deliveries');
  });

  it('shows the sampled estimate with its margin while the exact preflight runs, then the exact count', async () => {
    await page.goto('/system/ops/runbooks');
    // Hold the exact count back a little, so the estimate is seen before it, every time.
    await page.route('**/system/api/trpc/runbooks.preflight*', async (route) => {
      await new Promise((r) => setTimeout(r, 4000));
      await route.continue();
    });
    const card = page.locator(LIFECYCLE);
    await card.getByRole('button', { name: 'Preflight' }).click();
    const estimate = card.getByTestId('preflight-estimate');
    await estimate.waitFor();
    expect(await estimate.textContent()).toMatch(
      /^≈ [\d,]+ ± [\d,]+Records to change \(estimate\)From a sample of/,
    );
    await checkpoint(page, 'preflight-estimate', { networkIdle: false });
    expect(await estimate.count(), 'the estimate is still shown after the checkpoint').toBe(1);
    await card.locator('[data-stat="affected"]').waitFor();
    expect(await estimate.count()).toBe(0);
    const exact = Number(
      (await card.locator('[data-stat="affected"] [data-value]').textContent())!.replace(/\D/g, ''),
    );
    expect(exact).toBeGreaterThan(0);
    // The estimate and its margin stay beside the exact count, labelled as what they were.
    const before = (await card.getByTestId('estimate-before').textContent()) ?? '';
    const [, estimated, margin] = /^Estimate was ≈ ([\d,]+) ± ([\d,]+)$/.exec(before) ?? [];
    expect(estimated, before).toBeDefined();
    const num = (text: string | undefined) => Number((text ?? '').replaceAll(',', ''));
    // 95% of the time within the margin; on demo data the sample is far from its edge.
    expect(Math.abs(num(estimated) - exact)).toBeLessThanOrEqual(3 * Math.max(1, num(margin)));
    await checkpoint(page, 'preflight-exact-after-estimate');
    await page.unroute('**/system/api/trpc/runbooks.preflight*');
  });
});
