import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { loadConfig } from '../../apps/daemon/src/config.ts';
import { type Daemon, startDaemon } from '../../apps/daemon/src/daemon.ts';
import { type BenchCluster, openBenchCluster } from '../bench/cluster.ts';
import { waitFor } from '../support/cli.ts';
import { DEMO_PASSWORD } from '../support/daemon.ts';
import { chromiumMissing, launchChromium, newConsoleContext, SCREENSHOT_DIR } from './support/browser.ts';
import { signInThroughPage } from './support/console-page.ts';

// `npm run bench:console`: the operator's journey on a 1,000,000-finding database (the bench's
// template, README shape: 200 tenants, 30% drifted; seeded once into .bench-data, about a minute):
// Run… on all tenants to the run page (the dialog confirms on the estimate while the exact count
// runs), and how long after a run ends the catalog card shows it, with no reload. Each round's run
// is cancelled while it counts before writing, so every round sees the same data.
// Figures, not assertions. OPS_BENCH_FINDINGS and OPS_BENCH_ROUNDS change the size and rounds.

const FINDINGS = Number(process.env.OPS_BENCH_FINDINGS ?? 1_000_000);
const ROUNDS = Number(process.env.OPS_BENCH_ROUNDS ?? 5);
const CARD = '[data-runbook="findings.lifecycle.backfill"]';
const log = (line: string) => process.stderr.write(`${line}\n`);

const stats = (xs: number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return {
    samples: xs.length,
    min: Math.round(sorted[0] ?? Number.NaN),
    median: Math.round(sorted[Math.floor(sorted.length / 2)] ?? Number.NaN),
    max: Math.round(sorted.at(-1) ?? Number.NaN),
  };
};

describe.skipIf(chromiumMissing !== null)(
  `the console on ${FINDINGS.toLocaleString('en-US')} findings`,
  () => {
    let cluster: BenchCluster;
    let daemon: Daemon;
    let browser: Browser;
    let dataDir: string;
    const DB = 'bench_run_console_journey';

    beforeAll(async () => {
      cluster = await openBenchCluster(process.env.OPS_BENCH_DATA_DIR ?? '.bench-data', log);
      const template = await cluster.template({
        findings: FINDINGS,
        tenants: Math.min(200, Math.max(5, Math.round(FINDINGS / 5000))),
        drift: 0.3,
        seed: 1,
      });
      const url = await cluster.copy(template, DB);
      dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-console-journey-'));
      daemon = await startDaemon(loadConfig({ DATABASE_URL: url, OPS_DATA_DIR: dataDir }), {
        host: '127.0.0.1',
        port: 0,
        demo: true,
        log,
      });
      browser = await launchChromium();
    }, 900_000);
    afterAll(async () => {
      await browser?.close();
      await daemon?.stop();
      await cluster?.drop(DB);
      await cluster?.stop();
      if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
    }, 120_000);

    it('measures Run… to the run page and the catalog update after a run ends', async () => {
      const context = await newConsoleContext(browser, daemon.url);
      context.setDefaultTimeout(120_000);
      const page: Page = await context.newPage();
      await signInThroughPage(page, 'operator@ops.local');
      await page.locator(CARD).waitFor();
      const signIn = await fetch(`${daemon.url}/system/api/auth/sign-in/email`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: daemon.url },
        body: JSON.stringify({ email: 'operator@ops.local', password: DEMO_PASSWORD }),
      });
      const cookie = (signIn.headers.get('set-cookie') ?? '').split(';')[0]!;
      const call = async (procedure: string, input: unknown) => {
        const res = await fetch(`${daemon.url}/system/api/trpc/${procedure}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', origin: daemon.url, cookie },
          body: JSON.stringify(input),
        });
        if (!res.ok) throw new Error(`${procedure}: ${res.status} ${await res.text()}`);
        return ((await res.json()) as { result: { data: unknown } }).result.data;
      };
      const getRun = async (id: string) => {
        const res = await fetch(
          `${daemon.url}/system/api/trpc/runs.get?input=${encodeURIComponent(JSON.stringify({ id }))}`,
          { headers: { origin: daemon.url, cookie } },
        );
        return ((await res.json()) as { result: { data: { status: string; finishedAt: string | null } } })
          .result.data;
      };

      const toRunPage: number[] = [];
      const catalogAfterEnd: number[] = [];
      const confirmedOn: string[] = [];
      /** Parts of the journey: the dialog's count on screen, and Start run until the run is recorded. */
      const toConfirmation: number[] = [];
      const startToRecorded: number[] = [];
      for (let round = 1; round <= ROUNDS; round++) {
        await page.goto('/system/ops/runbooks');
        const card = page.locator(CARD);
        await card.getByRole('button', { name: 'Run…' }).waitFor();
        // Run… to the run page: what the operator waits for, their typing aside (filled at once).
        const started = performance.now();
        await card.getByRole('button', { name: 'Run…' }).click();
        const dialog = page.getByRole('dialog');
        const confirmation = dialog.getByTestId('run-confirmation');
        await confirmation.waitFor();
        confirmedOn.push((await confirmation.getAttribute('data-confirms')) ?? '?');
        toConfirmation.push(performance.now() - started);
        await dialog.getByRole('combobox', { name: 'Reason code' }).fill('DATA_REPAIR');
        await dialog.getByRole('textbox', { name: 'Reason' }).fill('console journey at a million findings');
        await dialog.getByRole('textbox', { name: /to confirm/ }).fill('BACKFILL');
        const starting = performance.now();
        await dialog.getByRole('button', { name: 'Start run' }).click();
        await page.getByRole('dialog', { name: 'Run started' }).waitFor();
        startToRecorded.push(performance.now() - starting);
        await page
          .getByRole('dialog', { name: 'Run started' })
          .getByRole('link', { name: 'View run' })
          .click();
        await page.getByRole('heading', { level: 1, name: /^Run #\d+: / }).waitFor();
        toRunPage.push(performance.now() - started);
        const runId = page.url().split('/').at(-1)!;

        // The catalog, open while the run is under way, follows its end without a reload.
        await page.goto('/system/ops/runbooks');
        await card.getByRole('link', { name: `View run #${runId}` }).waitFor();
        await call('runs.cancel', { id: runId });
        const ended = card.locator('[data-badge="outcome"]').filter({ hasText: 'Cancelled' });
        await ended.waitFor({ timeout: 300_000 });
        const shownAt = Date.now();
        const run = await waitFor(async () => {
          const r = await getRun(runId);
          return r.finishedAt ? r : undefined;
        }, 60_000);
        catalogAfterEnd.push(shownAt - Date.parse(run.finishedAt!));
        log(
          `round ${round}: Run… → run page ${Math.round(toRunPage.at(-1)!)} ms (count on screen ${Math.round(toConfirmation.at(-1)!)} ms, on the ${confirmedOn.at(-1)}; Start run → recorded ${Math.round(startToRecorded.at(-1)!)} ms), catalog ${catalogAfterEnd.at(-1)} ms after the run ended`,
        );
      }
      await context.close();

      const figures = {
        findings: FINDINGS,
        runToRunPageMs: stats(toRunPage),
        // How many rounds the dialog confirmed on the estimate, and on the exact count.
        confirmedOn: {
          estimate: confirmedOn.filter((c) => c === 'estimate').length,
          exact: confirmedOn.filter((c) => c === 'exact').length,
        },
        parts: { runToConfirmationMs: stats(toConfirmation), startRunToRecordedMs: stats(startToRecorded) },
        catalogUpdateAfterRunEndMs: stats(catalogAfterEnd),
      };
      fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
      fs.writeFileSync(
        path.join(SCREENSHOT_DIR, 'million-journey.json'),
        `${JSON.stringify(figures, null, 2)}\n`,
      );
      process.stdout.write(
        `\nconsole journey at ${FINDINGS.toLocaleString('en-US')} findings:\n${JSON.stringify(figures, null, 2)}\n`,
      );
    }, 1_800_000);
  },
);
