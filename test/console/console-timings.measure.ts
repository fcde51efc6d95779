import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { WEB_OUT_DIR } from '../../apps/desktop/scripts/web-build.ts';
import { startTestDaemon, type TestDaemon } from '../support/daemon.ts';
import { slowFindingWrites } from '../support/slow-writes.ts';
import { chromiumMissing, launchChromium, newConsoleContext, SCREENSHOT_DIR } from './support/browser.ts';
import { signInThroughPage } from './support/console-page.ts';

const LOADS = 7;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!;
const round = (n: number) => Math.round(n);

/** First contentful paint, and when the runbook cards (real data) are on screen, both from navigation start. */
async function measureLoad(page: Page): Promise<{ fcp: number; ready: number }> {
  await page.goto('/system/ops/runbooks');
  await page.locator('[data-runbook]').first().waitFor();
  const ready = (await page.evaluate('performance.now()')) as number;
  const fcp = (await page.evaluate(
    "performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? -1",
  )) as number;
  return { fcp, ready };
}

function bundleSizes() {
  const assets = path.join(WEB_OUT_DIR, 'assets');
  return fs.readdirSync(assets).map((file) => {
    const body = fs.readFileSync(path.join(assets, file));
    return { file, bytes: body.length, gzip: zlib.gzipSync(body).length };
  });
}

describe.skipIf(chromiumMissing !== null)('console timings', () => {
  let d: TestDaemon;
  let browser: Browser;

  beforeAll(async () => {
    [d, browser] = await Promise.all([
      startTestDaemon({ tenants: 20, findings: 20_000 }, { OPS_CHUNK_SIZE: '250' }),
      launchChromium(),
    ]);
  });
  afterAll(async () => {
    await browser?.close();
    await d?.stop();
  });

  it('measures first paint, run-detail update latency and bundle size', async () => {
    // First paint: cold (new browser context, empty cache) and warm (same context, cached assets).
    const cold: { fcp: number; ready: number }[] = [];
    const warm: { fcp: number; ready: number }[] = [];
    const { cookie } = await d.signIn('operator@ops.local');
    const [name, value] = [cookie.slice(0, cookie.indexOf('=')), cookie.slice(cookie.indexOf('=') + 1)];
    for (let i = 0; i < LOADS; i++) {
      const context = await newConsoleContext(browser, d.url);
      await context.addCookies([{ name, value, domain: '127.0.0.1', path: '/system' }]);
      const page = await context.newPage();
      cold.push(await measureLoad(page));
      warm.push(await measureLoad(page));
      await context.close();
    }

    // Update latency: from the moment the daemon records progress (run.updatedAt) to the moment
    // the run detail page shows it (a MutationObserver on the progress card), same machine clock.
    await slowFindingWrites(d.t, 300);
    const context = await newConsoleContext(browser, d.url);
    const page = await context.newPage();
    await signInThroughPage(page, 'operator@ops.local');
    await page.locator('[data-runbook]').first().waitFor();
    const client = d.client((await d.signIn('operator@ops.local')).cookie);
    const preflight = await client.runbooks.preflight.mutate({
      runbookId: 'findings.lifecycle.backfill',
      scope: { kind: 'all' },
    });
    const { runId } = await client.runbooks.run.mutate({
      runbookId: 'findings.lifecycle.backfill',
      scope: { kind: 'all' },
      reasonCode: 'DATA_REPAIR',
      reasonText: 'timings',
      confirmation: 'BACKFILL',
      preflightAffectedCount: preflight.affected_count,
    });
    await page.goto(`/system/ops/runs/${runId}`);
    await page.getByTestId('run-progress').waitFor();
    await page.evaluate(`
      window.__lat = [];
      const card = document.querySelector('[data-testid="run-progress"]');
      new MutationObserver(() => {
        const at = card.getAttribute('data-updated-at');
        if (at && at !== window.__last) { window.__last = at; window.__lat.push(Date.now() - Date.parse(at)); }
      }).observe(card, { attributes: true, attributeFilter: ['data-updated-at'] });
    `);
    await page.locator('[data-testid="run-badges"] [data-badge="outcome"]').waitFor({ timeout: 240_000 });
    const latencies = (await page.evaluate('window.__lat')) as number[];
    await context.close();

    const sizes = bundleSizes();
    const figures = {
      firstContentfulPaintMs: {
        coldMedian: round(median(cold.map((c) => c.fcp))),
        warmMedian: round(median(warm.map((w) => w.fcp))),
      },
      runbooksOnScreenMs: {
        coldMedian: round(median(cold.map((c) => c.ready))),
        warmMedian: round(median(warm.map((w) => w.ready))),
      },
      runDetailUpdateLatencyMs: {
        samples: latencies.length,
        median: round(median(latencies)),
        p95: round(pct(latencies, 0.95)),
        max: round(Math.max(...latencies)),
      },
      bundle: {
        totalKiB: round(sizes.reduce((a, s) => a + s.bytes, 0) / 1024),
        totalGzipKiB: round(sizes.reduce((a, s) => a + s.gzip, 0) / 1024),
        files: sizes,
      },
    };
    fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
    fs.writeFileSync(path.join(SCREENSHOT_DIR, 'timings.json'), `${JSON.stringify(figures, null, 2)}\n`);
    process.stdout.write(`\nconsole timings (${LOADS} loads each):\n${JSON.stringify(figures, null, 2)}\n`);
  });
});
