import type { Locator, Page } from 'playwright-core';
import { expect } from 'vitest';
import { DEMO_PASSWORD } from '../../support/daemon.ts';
import { describeViolations, seriousA11yViolations } from './axe.ts';
import { screenshot } from './browser.ts';

/** Signs in through the console's own sign-in page, as an operator would. */
export async function signInThroughPage(
  page: Page,
  email: string,
  path = '/system/ops/runbooks',
): Promise<void> {
  await page.goto(path);
  await page.waitForURL(/\/system\/login/);
  await page.getByLabel('E-mail').fill(email);
  await page.getByLabel('Password').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** The scenario's evidence: a screenshot, and no serious or critical accessibility violation. */
export async function checkpoint(page: Page, name: string): Promise<void> {
  await page.waitForLoadState('networkidle').catch(() => {});
  await screenshot(page, name);
  const violations = await seriousA11yViolations(page);
  expect(violations, `axe on ${name}:\n${describeViolations(violations)}`).toEqual([]);
}

/**
 * Counts what an operator does with the pointer (clicks, picks); typing is not counted, as the
 * spec's "≤ 3 interactions" excludes it.
 */
export class InteractionCounter {
  count = 0;

  async click(target: Locator): Promise<void> {
    this.count++;
    await target.click();
  }

  async type(target: Locator, text: string): Promise<void> {
    await target.fill(text);
  }
}

export async function waitForText(locator: Locator, text: string | RegExp, timeout = 15_000): Promise<void> {
  await locator.filter({ hasText: text }).first().waitFor({ state: 'visible', timeout });
}
