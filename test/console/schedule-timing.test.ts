import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, type TestDaemon } from '../support/daemon.ts';
import { chromiumMissing, launchChromium, newConsoleContext } from './support/browser.ts';
import { checkpoint, fieldMessage, signInThroughPage, waitForFieldMessage } from './support/console-page.ts';

// Issue 12, schedules: cron errors in our words naming the field and its range, judged in the
// console by the daemon's rule so an invalid keystroke sends nothing; a zone the operator wrote is
// never silently another; Escape in the zone box does not throw the form away; the zone field
// sits level with the cron field, at 1280 and 800 px, light and dark.
describe.skipIf(chromiumMissing !== null)('the console in Chromium: a schedule’s timing', () => {
  let d: TestDaemon;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    [d, browser] = await Promise.all([startTestDaemon({ tenants: 2, findings: 200 }), launchChromium()]);
  });
  afterAll(async () => {
    for (const c of contexts) await c.close();
    await browser?.close();
    await d?.stop();
  });

  async function openDialog(width: number, colorScheme: 'light' | 'dark') {
    const context = await newConsoleContext(browser, d.url, { colorScheme });
    contexts.push(context);
    const page = await context.newPage();
    await page.setViewportSize({ width, height: 900 });
    // Every request to the daemon, with its answer: invalid keystrokes must cause none.
    const previews: string[] = [];
    const failures: string[] = [];
    page.on('request', (r) => {
      if (r.url().includes('schedules.preview')) previews.push(decodeURIComponent(r.url()));
    });
    page.on('response', (r) => {
      if (r.status() >= 400) failures.push(`${r.status()} ${r.url()}`);
    });
    page.on('console', (m) => {
      if (m.type() === 'error') failures.push(m.text());
    });
    await signInThroughPage(page, 'operator@ops.local', '/system/ops/schedules');
    await page.getByRole('button', { name: 'New schedule' }).click();
    const dialog = page.getByRole('dialog', { name: 'New schedule' });
    await dialog.getByRole('textbox', { name: 'Name' }).fill('Timing check');
    return { page, dialog, previews, failures };
  }

  const cronBox = (page: Page) => page.getByRole('textbox', { name: 'Cron expression' });
  const zoneBox = (page: Page) => page.getByRole('combobox', { name: 'Time zone' });

  for (const [width, scheme] of [
    [1280, 'light'],
    [800, 'dark'],
  ] as const) {
    it(`judges the cron expression in our words, keystroke by keystroke, without asking the daemon (${width} px, ${scheme})`, async () => {
      const { page, dialog, previews, failures } = await openDialog(width, scheme);
      const cron = cronBox(page);
      // The default expression is previewed once it is on screen.
      await dialog.locator('[data-testid="fire-times-preview"] ul[data-current="true"]').waitFor();
      const asked = previews.length;
      await dialog.locator(cron).fill('');
      await dialog.locator(cron).pressSequentially('61 * * * *');
      expect(await waitForFieldMessage(dialog, cron, /minute/)).toBe(
        'The minute field (1st) has “61”; minutes run from 0 to 59.',
      );
      expect(await dialog.getByTestId('schedule-blocker').textContent()).toBe('Correct the cron expression.');
      await checkpoint(page, `schedule-cron-error-${width}-${scheme}`);
      // Correcting it clears the message; only expressions that can be right were sent.
      await dialog.locator(cron).fill('0 25 * * *');
      expect(await waitForFieldMessage(dialog, cron, /hour/)).toBe(
        'The hour field (2nd) has “25”; hours run from 0 to 23.',
      );
      await dialog.locator(cron).fill('15 4 * * *');
      await expect.poll(() => fieldMessage(dialog, cron)).toBe('');
      await dialog.locator('[data-testid="fire-times-preview"] ul[data-current="true"]').waitFor();
      for (const url of previews.slice(asked)) expect(url).not.toMatch(/"cron":"(61|0 25|6|61 )/);
      expect(failures).toEqual([]);
    });

    it(`keeps the zone field level with the cron field (${width} px, ${scheme})`, async () => {
      const { page, dialog } = await openDialog(width, scheme);
      // Measured once the dialog is at rest (it slides in) and its preview has come, which changes
      // nothing above it: the controls' outer boxes (Input and Combobox wrap their <input> differently).
      await dialog.locator('[data-testid="fire-times-preview"] ul[data-current="true"]').waitFor();
      const offset = async () => {
        const cron = (await cronBox(page).locator('xpath=..').boundingBox())!;
        const zone = (await zoneBox(page).locator('xpath=..').boundingBox())!;
        // Side by side: level within sub-pixel label metrics; stacked where the dialog is narrow.
        return zone.x > cron.x ? Math.abs(zone.y - cron.y) <= 2 : zone.y > cron.y;
      };
      await expect.poll(offset, { timeout: 5000 }).toBe(true);
      await checkpoint(page, `schedule-timing-layout-${width}-${scheme}`);
    });
  }

  it('refuses a zone it does not know with a message, instead of turning it into UTC', async () => {
    const { page, dialog, failures } = await openDialog(1280, 'light');
    const zone = zoneBox(page);
    await zone.click();
    await zone.fill('Mars/Olympus_Mons');
    await dialog.getByRole('textbox', { name: 'Name' }).click(); // leave the box
    expect(await waitForFieldMessage(dialog, zone, /not a time zone/)).toBe(
      '“Mars/Olympus_Mons” is not a time zone this system knows; choose one from the list (an IANA name like Europe/Berlin, or UTC).',
    );
    expect(await zone.inputValue()).toBe('Mars/Olympus_Mons');
    expect(await dialog.getByTestId('schedule-blocker').textContent()).toBe(
      'Choose a time zone from the list.',
    );
    expect(await dialog.getByRole('button', { name: 'Create schedule' }).getAttribute('aria-disabled')).toBe(
      'true',
    );
    await checkpoint(page, 'schedule-zone-unknown-1280');
    await zone.click();
    await zone.fill('tokyo');
    await page.getByRole('option', { name: 'Asia/Tokyo' }).click();
    await expect.poll(() => fieldMessage(dialog, zone)).toBe('');
    expect(failures).toEqual([]);
  });

  it('closes only the zone list on Escape, keeping the dialog and what was typed', async () => {
    const { page, dialog } = await openDialog(1280, 'light');
    await dialog.locator(cronBox(page)).fill('0 6 * * MON');
    const zone = zoneBox(page);
    await zone.click();
    await zone.fill('new_y');
    await page.getByRole('option', { name: 'America/New_York' }).waitFor();
    await page.keyboard.press('Escape'); // the list closes
    expect(await dialog.isVisible()).toBe(true);
    await page.keyboard.press('Escape'); // the search goes back to the chosen zone
    expect(await dialog.isVisible()).toBe(true);
    expect(await dialog.getByRole('textbox', { name: 'Name' }).inputValue()).toBe('Timing check');
    expect(await dialog.locator(cronBox(page)).inputValue()).toBe('0 6 * * MON');
    expect(await zone.inputValue()).not.toBe('new_y');
  });
});
