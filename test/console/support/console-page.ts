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

/**
 * The scenario's evidence: a screenshot, and no serious or critical accessibility violation.
 * `networkIdle: false` captures a state that lasts only while a request is in flight.
 */
export async function checkpoint(
  page: Page,
  name: string,
  { networkIdle = true }: { networkIdle?: boolean } = {},
): Promise<void> {
  if (networkIdle) await page.waitForLoadState('networkidle').catch(() => {});
  // Toasts pause while the window is in the background (Toaster pauseOnWindowBlur), so none starts
  // fading out while axe measures its contrast. A toast still fading in starts its timer once it
  // is in: let it arrive, pause, then let one that had already begun leaving go.
  await finishedMoving(page);
  try {
    await page.evaluate("window.dispatchEvent(new Event('blur'))");
    await finishedMoving(page);
    await screenshot(page, name);
    const violations = await seriousA11yViolations(page);
    expect(violations, `axe on ${name}:\n${describeViolations(violations)}`).toEqual([]);
  } finally {
    await page.evaluate("window.dispatchEvent(new Event('focus'))");
  }
}

/**
 * Waits for short animations (a toast fading in, a dialog opening) to end, so the screenshot and
 * axe see the page at rest rather than half-transparent text: no short animation running, and
 * every toast fully opaque (a toast is in the DOM a frame before its fade-in starts). Spinners
 * loop forever and a toast's own timer is an animation as long as the toast lasts: both ignored.
 */
async function finishedMoving(page: Page): Promise<void> {
  // A string: this file is compiled without the DOM library, as Node code.
  const atRest = `(() => {
    const moving = document.getAnimations().some((a) => {
      if (a.playState !== 'running') return false;
      const duration = Number(a.effect?.getComputedTiming().activeDuration ?? 0);
      return Number.isFinite(duration) && duration <= 2000;
    });
    const opacity = (e) => (e ? Number(getComputedStyle(e).opacity) * opacity(e.parentElement) : 1);
    const fading = [...document.querySelectorAll('.fui-Toast')].some((t) => opacity(t) < 1);
    return !moving && !fading;
  })()`;
  // Polled with evaluate: waitForFunction compiles its predicate in the page, which the
  // console's CSP (no unsafe-eval) refuses.
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline && !(await page.evaluate(atRest).catch(() => true))) {
    await page.waitForTimeout(50);
  }
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

/**
 * The validation message of the Fluent Field (inside `scope`) that holds `control`, '' when it
 * shows none. Build `control` from the page (page.getByRole…): Playwright looks for it inside
 * each field.
 */
export async function fieldMessage(scope: Page | Locator, control: Locator): Promise<string> {
  const message = scope
    .locator('.fui-Field')
    .filter({ has: control })
    .last()
    .locator('.fui-Field__validationMessage');
  return (await message.count()) ? ((await message.first().textContent()) ?? '') : '';
}

/** Waits until that Field shows a validation message matching `text`; returns it. */
export async function waitForFieldMessage(
  scope: Page | Locator,
  control: Locator,
  text: RegExp,
): Promise<string> {
  const message = scope
    .locator('.fui-Field')
    .filter({ has: control })
    .last()
    .locator('.fui-Field__validationMessage')
    .filter({ hasText: text });
  await message.first().waitFor();
  return (await message.first().textContent()) ?? '';
}

/** The text of the latest toast (Fluent renders a live-region copy too: read the visible title). */
export async function waitForToast(page: Page, text: RegExp): Promise<string> {
  const toast = page.locator('.fui-Toast').filter({ hasText: text }).first();
  await toast.waitFor();
  return (await toast.textContent()) ?? '';
}
