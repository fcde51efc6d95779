import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../support/cli.ts';
import { startTestDaemon, type TestDaemon } from '../support/daemon.ts';
import { gateFindingWrites } from '../support/write-gate.ts';
import { chromiumMissing, launchChromium, newConsoleContext } from './support/browser.ts';
import { checkpoint, signInThroughPage } from './support/console-page.ts';

const RUNBOOK = 'findings.lifecycle.backfill';

// Issue 12, the details: header icons that stay visible on hover, "View run" that says where it
// opens, a direct-loaded unknown page that is the console's "Page not found" (not raw JSON), and
// notifications that number the run and write counts as people do. 1280 and 800 px, light and dark.
describe.skipIf(chromiumMissing !== null)('the console in Chromium: details told straight', () => {
  let d: TestDaemon;
  let browser: Browser;
  let api: ReturnType<TestDaemon['client']>;

  beforeAll(async () => {
    [d, browser] = await Promise.all([
      startTestDaemon({ tenants: 3, findings: 6000, drift: 0.6 }, { OPS_CHUNK_SIZE: '100' }),
      launchChromium(),
    ]);
    api = d.client((await d.signIn('operator@ops.local')).cookie);
  });
  afterAll(async () => {
    await browser?.close();
    await d?.stop();
  });

  async function signedIn(width: number, colorScheme: 'light' | 'dark', path = '/system/ops/runbooks') {
    const context = await newConsoleContext(browser, d.url, { colorScheme });
    const page = await context.newPage();
    await page.setViewportSize({ width, height: 900 });
    await signInThroughPage(page, 'operator@ops.local', path);
    await page.getByRole('banner').waitFor();
    return page;
  }

  /** The colours an operator sees of a header button's icon, and of the header behind it. */
  const colours = (page: Page, selector: string) =>
    page.evaluate(`(() => {
      const button = document.querySelector(${JSON.stringify(selector)});
      const icon = button.querySelector('svg');
      const header = document.querySelector('header');
      return { icon: getComputedStyle(icon).color, header: getComputedStyle(header).backgroundColor,
               button: getComputedStyle(button).backgroundColor };
    })()`) as Promise<{ icon: string; header: string; button: string }>;

  for (const scheme of ['light', 'dark'] as const) {
    it(`keeps the header's icons visible on hover (${scheme})`, async () => {
      const page = await signedIn(1280, scheme);
      for (const [name, selector] of [
        ['Notifications', 'header button[aria-label^="Notifications"]'],
        ['navigation', 'header button[aria-label$="navigation"]'],
      ] as const) {
        await page.locator(selector).hover();
        const seen = await colours(page, selector);
        expect(seen.icon, name).toBe('rgb(255, 255, 255)');
        expect(seen.icon, name).not.toBe(seen.header);
      }
      await page.locator('header button[aria-label^="Notifications"]').hover();
      await checkpoint(page, `header-hover-${scheme}`);
      await page.context().close();
    });
  }

  it('says "View run" opens the run here, and it does', async () => {
    const page = await signedIn(1280, 'light');
    const [tenant] = await d.t.sql<{ id: string }>("SELECT id FROM tenants WHERE external_id = 'tenant-1'");
    const gate = await gateFindingWrites(d.t, 1);
    try {
      await page.locator(`[data-runbook="${RUNBOOK}"]`).getByRole('button', { name: 'Run…' }).click();
      const dialog = page.getByRole('dialog');
      await dialog.getByRole('radio', { name: 'Single tenant' }).click();
      await dialog.getByRole('combobox', { name: 'Tenant' }).pressSequentially('tenant-1');
      await page.getByRole('option', { name: /· tenant-1$/ }).click();
      await dialog.getByTestId('run-confirmation').waitFor();
      await dialog.getByRole('button', { name: 'Start run' }).click();
      const view = page.getByRole('dialog', { name: 'Run started' }).getByRole('link', { name: 'View run' });
      await view.waitFor();
      expect(await view.getAttribute('target')).toBeNull();
      // Its icon points on, after the words; not the new-window icon.
      expect(await view.evaluate((a) => a.lastElementChild?.classList.contains('fui-Button__icon'))).toBe(
        true,
      );
      await checkpoint(page, 'run-started-view-run');
      const pages = page.context().pages().length;
      await view.click();
      await page.waitForURL(/\/system\/ops\/runs\/\d+$/);
      expect(page.context().pages()).toHaveLength(pages);
      const runId = page.url().split('/').at(-1)!;
      expect(tenant).toBeDefined();
      await api.runs.cancel.mutate({ id: runId });
      await gate.open();
      await waitFor(async () =>
        (await api.runs.get.query({ id: runId })).status === 'completed' ? true : undefined,
      );
      // The bell numbers the run and writes its counts with separators.
      await page.reload();
      await page.getByRole('button', { name: /^Notifications, 1 unread$/ }).click();
      const item = page.getByRole('dialog', { name: 'Notifications' }).getByRole('listitem').first();
      await item.waitFor();
      const text = (await item.textContent()) ?? '';
      expect(text).toContain(`Run #${runId} cancelled`);
      expect(text).toMatch(/updated \d{1,3}(,\d{3})* of \d{1,3}(,\d{3})+/);
      await checkpoint(page, 'notifications-cancelled');
    } finally {
      await gate.remove();
      await page.context().close();
    }
  });

  for (const [width, scheme] of [
    [1280, 'light'],
    [800, 'dark'],
  ] as const) {
    it(`answers a direct load of an unknown page with the console's "Page not found" (${width} px, ${scheme})`, async () => {
      const page = await signedIn(width, scheme);
      const response = await page.goto('/system/ops/no-such-page');
      expect(response?.status()).toBe(404);
      expect(response?.headers()['content-type']).toMatch(/^text\/html/);
      await page.getByRole('heading', { level: 1, name: 'Page not found' }).waitFor();
      expect(await page.getByRole('banner').count()).toBe(1); // in the console, not a bare page
      expect(await page.locator('body').textContent()).not.toContain('"NOT_FOUND"');
      await checkpoint(page, `not-found-direct-${width}-${scheme}`);
      await page.context().close();
    });
  }
});
