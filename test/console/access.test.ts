import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, type TestDaemon } from '../support/daemon.ts';
import { chromiumMissing, launchChromium, newConsoleContext } from './support/browser.ts';
import { checkpoint, signInThroughPage } from './support/console-page.ts';

// Who sees what: sign-in, the runbooks warning, a viewer, a tenant user, break-glass, the OS theme.
describe.skipIf(chromiumMissing !== null)('the console in Chromium: access and shell', () => {
  let d: TestDaemon;
  let browser: Browser;

  beforeAll(async () => {
    [d, browser] = await Promise.all([startTestDaemon({ tenants: 5, findings: 400 }), launchChromium()]);
  });
  afterAll(async () => {
    await browser?.close();
    await d?.stop();
  });

  it('signs an operator in and returns to the page they asked for', async () => {
    const context = await newConsoleContext(browser, d.url);
    const page = await context.newPage();
    await page.goto('/system/ops/runs');
    expect(new URL(page.url()).pathname).toBe('/system/login');
    await checkpoint(page, 'sign-in');
    await signInThroughPage(page, 'operator@ops.local', '/system/ops/runs');
    await page.getByRole('heading', { level: 1, name: 'Runs' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/system/ops/runs');
    await page.getByRole('button', { name: /signed in as operator@ops\.local/ }).waitFor();
    await context.close();
  });

  it('refuses a wrong password in words, without saying which part was wrong', async () => {
    const context = await newConsoleContext(browser, d.url);
    const page = await context.newPage();
    await page.goto('/system/login');
    await page.getByLabel('E-mail').fill('operator@ops.local');
    await page.getByLabel('Password').fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    const alert = page
      .getByRole('alert')
      .filter({ hasText: 'The e-mail address or password is not correct.' });
    await alert.waitFor();
    await context.close();
  });

  it('warns on the runbooks page that runbooks modify customer data (a labelled warning with an icon)', async () => {
    const context = await newConsoleContext(browser, d.url);
    const page = await context.newPage();
    await signInThroughPage(page, 'operator@ops.local');
    const warning = page.getByRole('group', { name: 'Runbooks modify customer data' });
    await warning.waitFor();
    expect(await warning.getAttribute('class')).toMatch(/fui-MessageBar/);
    expect(await warning.textContent()).toMatch(/Every run writes to tenant-owned records/);
    expect(await warning.locator('.fui-MessageBar__icon svg').count()).toBe(1);
    // It comes before the runbooks, so it is read first.
    const card = page.locator('[data-runbook="findings.lifecycle.backfill"]');
    await card.waitFor();
    expect(
      await warning.evaluate(
        (w, c) => Boolean(w.compareDocumentPosition(c as never) & 4),
        await card.elementHandle(),
      ),
    ).toBe(true);
    await page.getByRole('button', { name: 'Run…' }).first().waitFor();
    await checkpoint(page, 'runbooks-warning-banner');
    await context.close();
  });

  it('shows a viewer the runbooks and preflight, but no Run action', async () => {
    const context = await newConsoleContext(browser, d.url);
    const page = await context.newPage();
    await signInThroughPage(page, 'viewer@ops.local');
    const card = page.locator('[data-runbook="findings.lifecycle.backfill"]');
    await card.getByRole('button', { name: 'Preflight' }).click();
    await card.locator('[data-stat="affected"]').waitFor();
    expect(await page.getByRole('button', { name: /^Run/ }).count()).toBe(0);
    await checkpoint(page, 'viewer-without-run');
    await context.close();
  });

  it('shows a tenant user the same "not found" as a wrong address, and the daemon answers 404', async () => {
    const context = await newConsoleContext(browser, d.url);
    const page = await context.newPage();
    await signInThroughPage(page, 'customer@tenant-1.example');
    await page.getByRole('heading', { level: 1, name: 'Page not found' }).waitFor();
    expect(await page.getByRole('navigation').count()).toBe(0);
    expect(await page.getByText('Runbooks modify customer data').count()).toBe(0);
    await checkpoint(page, 'tenant-user-not-found');
    const reload = await page.goto('/system/ops/runbooks');
    const unknown = await page.request.get('/system/no-such-page');
    expect(reload?.status()).toBe(404);
    expect(await reload?.text()).toBe(await unknown.text());
    await context.close();
  });

  it('says which capability is missing when an operator opens a page they may not use', async () => {
    const context = await newConsoleContext(browser, d.url);
    const page = await context.newPage();
    await signInThroughPage(page, 'responder@ops.local', '/system/ops/runbooks');
    const error = page.locator('[data-error-code="FORBIDDEN"]');
    await error.waitFor();
    expect(await error.textContent()).toMatch(
      /platform\.runbooks\.view \(view runbooks and run preflights\)/,
    );
    await checkpoint(page, 'forbidden-capability');
    await context.close();
  });

  it('enters break-glass with a reason and shows the red banner with the time left on every page', async () => {
    const context = await newConsoleContext(browser, d.url);
    const page = await context.newPage();
    await signInThroughPage(page, 'responder@ops.local', '/system/ops/runs');
    await page.getByRole('button', { name: /signed in as responder@ops\.local/ }).click();
    await page.getByRole('menuitem', { name: 'Enter break-glass…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Enter break-glass' });
    await dialog.getByRole('combobox', { name: 'Reason code' }).fill('INCIDENT');
    await dialog
      .getByRole('textbox', { name: 'Reason' })
      .fill('INC-4711: customer import corrupted lifecycles');
    await dialog.getByRole('button', { name: 'Enter break-glass' }).click();
    const banner = page.getByRole('region', { name: 'Break-glass active' });
    await banner.waitFor();
    expect(await banner.textContent()).toMatch(/Break-glass active: \d+:\d\d left/);
    expect(await banner.textContent()).toMatch(/INC-4711/);
    await checkpoint(page, 'break-glass-banner');
    // On every page: the runbooks page now opens too, with break-glass rights.
    await page.getByRole('navigation').getByRole('link', { name: 'Runbooks' }).click();
    await page.getByRole('heading', { level: 1, name: 'Runbooks' }).waitFor();
    await banner.waitFor();
    await banner.getByRole('button', { name: 'End break-glass' }).click();
    await banner.waitFor({ state: 'detached' });
    await context.close();
  });

  it('shows the unread count on the bell, lists notifications with their outcome, and marks them read', async () => {
    const [operator] = await d.t.sql<{ id: string }>('SELECT id FROM ops."user" WHERE email = $1', [
      'operator@ops.local',
    ]);
    await d.daemon.notifications.create(operator!.id, {
      kind: 'run.failed',
      title: 'Run #7 of Rebuild Findings Lifecycle failed',
      body: 'all tenants: updated 0 of 120, 3 errors',
      runId: '7',
    });
    const context = await newConsoleContext(browser, d.url);
    const page = await context.newPage();
    await signInThroughPage(page, 'operator@ops.local');
    const bell = page.getByRole('button', { name: 'Notifications, 1 unread' });
    await bell.click();
    const panel = page.getByRole('dialog', { name: 'Notifications' });
    await panel.getByText('Run #7 of Rebuild Findings Lifecycle failed').waitFor();
    expect(await panel.locator('[data-badge="outcome"]').textContent()).toBe('Failed');
    expect(await panel.getByRole('link', { name: 'View run #7' }).getAttribute('href')).toBe(
      '/system/ops/runs/7',
    );
    await checkpoint(page, 'notifications');
    await panel.getByRole('button', { name: 'Mark all as read' }).click();
    // The open panel hides the page from assistive tech (focus trap): read the bell's label directly.
    const bellLabel = page.locator('header button[aria-label^="Notifications"]');
    await expect.poll(() => bellLabel.getAttribute('aria-label')).toBe('Notifications');
    await context.close();
  });

  it('follows the operating system into dark mode', async () => {
    const context = await newConsoleContext(browser, d.url, { colorScheme: 'dark' });
    const page = await context.newPage();
    await signInThroughPage(page, 'operator@ops.local');
    await page.locator('[data-runbook]').first().waitFor();
    expect(await page.evaluate('document.documentElement.dataset.theme')).toBe('dark');
    const background = (await page.evaluate(
      "getComputedStyle(document.querySelector('#main').parentElement.parentElement).backgroundColor",
    )) as string;
    const [r, g, b] = background.match(/\d+/g)!.map(Number);
    expect(r! + g! + b!).toBeLessThan(3 * 64);
    await checkpoint(page, 'dark-mode-runbooks');
    await context.close();
  });

  it('loads every console route on a hard reload', async () => {
    const context = await newConsoleContext(browser, d.url);
    const page = await context.newPage();
    await signInThroughPage(page, 'operator@ops.local');
    await page.getByRole('heading', { level: 1, name: 'Runbooks' }).waitFor();
    for (const [path, heading] of [
      ['/system/ops/runs', 'Runs'],
      ['/system/ops/audit', 'Audit log'],
      ['/system/ops/runbooks', 'Runbooks'],
      ['/system/ops/schedules', 'Schedules'],
      ['/system/settings/alerts', 'Alert destinations'],
      ['/system/ops/runs/999999', 'Run #999999'],
    ] as const) {
      const response = await page.goto(path);
      expect(response?.status(), path).toBe(200);
      if (path.endsWith('999999')) await page.getByText('Run #999999 does not exist').waitFor();
      else await page.getByRole('heading', { level: 1, name: heading }).waitFor();
    }
    await checkpoint(page, 'run-not-found');
    await context.close();
  });
});

describe.skipIf(chromiumMissing === null)('the console in Chromium', () => {
  it('is skipped because Chromium is missing', (ctx) => {
    ctx.skip(chromiumMissing ?? '');
  });
});
