import fs from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

const require = createRequire(import.meta.url);
const AXE_SOURCE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: string[];
}

/**
 * Runs axe-core in the page (WCAG 2.1 A/AA and best practices) and returns the serious and
 * critical violations. The source is evaluated through the DevTools protocol, which the console's
 * CSP (script-src 'self') does not block, as it would an injected <script>.
 */
export async function seriousA11yViolations(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(AXE_SOURCE);
  const violations = (await page.evaluate(`
    axe.run(
      // Tabster's focus guards (<i tabindex=0 aria-hidden data-tabster-dummy>) are how Fluent UI
      // traps and wraps focus; they are never announced and hand focus on at once.
      { exclude: [['[data-tabster-dummy]']] },
      { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } },
    ).then((r) => r.violations.map((v) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        nodes: v.nodes.slice(0, 5).map((n) => n.target.join(' ') + ' ' + (n.html || '').slice(0, 160) + ' ' + (n.failureSummary || '').replace(/s+/g, ' ').slice(0, 200)),
      })))
  `)) as AxeViolation[];
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** For assertion messages: one line per violation with the elements it was found on. */
export function describeViolations(violations: readonly AxeViolation[]): string {
  return violations.map((v) => `${v.impact} ${v.id}: ${v.help} — ${v.nodes.join(', ')}`).join('\n');
}
