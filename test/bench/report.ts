import os from 'node:os';
import type { ExecSample, PreflightSample } from './measurements.ts';

export interface BenchResults {
  findings: number;
  smallFindings: number;
  runs: number;
  floorDefaultMs: number[];
  floor64Ms: number[];
  floorRows: number;
  exec: ExecSample[];
  smallExec: ExecSample[];
  preflight: PreflightSample[];
}

export function median(values: readonly number[]): number {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const count = (n: number) => Math.round(n).toLocaleString('en-US');
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const millis = (ms: number) => `${Math.round(ms)} ms`;
const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`;
const mb = (kb: number) => `${Math.round(kb / 1024)} MB`;
const pct = (n: number) => `${n >= 0 ? '+' : ''}${(n * 100).toFixed(2)}%`;
const verdict = (ok: boolean) => (ok ? 'met' : '**not met**');

/** The benchmark's table, as Markdown (the README's "Performance" section shows one). */
export function renderReport(r: BenchResults): string {
  const floorDefault = median(r.floorDefaultMs);
  const floor64 = median(r.floor64Ms);
  const floor = Math.min(floorDefault, floor64);
  const execWall = median(r.exec.map((e) => e.wallMs));
  const execRun = median(r.exec.map((e) => e.runMs));
  const chunk = (key: 'p50_ms' | 'p95_ms' | 'p99_ms' | 'max_ms') => median(r.exec.map((e) => e.chunks[key]));
  const updated = median(r.exec.map((e) => e.updated));
  const chunks = median(r.exec.map((e) => e.chunks.chunks));
  const lastSize = median(r.exec.map((e) => e.chunks.last_size));

  const p = r.preflight;
  const countDefault = median(p.map((s) => s.countDefaultMs));
  const count64 = median(p.map((s) => s.count64Ms));
  const bestCount = Math.min(countDefault, count64);
  const ours = median(p.map((s) => s.preflightMs));
  const estimateMs = median(p.map((s) => s.estimateMs));
  const errors = p.map((s) => (s.estimate.affected - s.exact) / s.exact);
  const worstError = errors.reduce((w, e) => (Math.abs(e) > Math.abs(w) ? e : w), 0);
  const margin = median(p.map((s) => s.estimate.margin / s.exact));
  const tenantRows = (p[0]?.tenants ?? []).map((t, i) => ({
    ...t,
    firstMs: median(p.map((s) => s.tenants[i]?.firstMs ?? Number.NaN)),
    againMs: median(p.map((s) => s.tenants[i]?.againMs ?? Number.NaN)),
  }));
  const rssSmall = median(r.smallExec.map((e) => e.peakRssKb));
  const rssBig = median(r.exec.map((e) => e.peakRssKb));

  const lines = [
    `### \`npm run bench\`: ${count(r.findings)} findings, medians of ${r.runs} runs`,
    '',
    `${new Date().toISOString().slice(0, 10)}, ${os.cpus().length} CPUs, embedded PostgreSQL 18 at default settings; every write measurement on a fresh copy of one template database.`,
    '',
    '| measurement | median | vs floor | detail |',
    '| --- | ---: | ---: | --- |',
    `| one \`UPDATE … FROM (derivation)\`, default settings | ${seconds(floorDefault)} | ${ratio(floorDefault, floor)} | ${count(r.floorRows)} rows, ${count(r.floorRows / (floorDefault / 1000))} rows/s |`,
    `| the same, \`work_mem\` 64MB | ${seconds(floor64)} | ${ratio(floor64, floor)} | ${count(r.floorRows / (floor64 / 1000))} rows/s |`,
    `| **\`ops-daemon exec\`**, process start to exit | **${seconds(execWall)}** | **${ratio(execWall, floor)}** | run itself ${seconds(execRun)}; ${count(updated)} rows, ${count(updated / (execWall / 1000))} rows/s; 2 workers |`,
    `| exec chunk duration p50 / p95 / p99 / max | ${millis(chunk('p50_ms'))} / ${millis(chunk('p95_ms'))} / ${millis(chunk('p99_ms'))} / ${millis(chunk('max_ms'))} | | ${count(chunks)} chunks, last size ${count(lastSize)} findings, target 200 ms |`,
    '',
    '| preflight (all tenants unless said) | median | vs best count | detail |',
    '| --- | ---: | ---: | --- |',
    `| count statement, default settings | ${seconds(countDefault)} | ${ratio(countDefault, bestCount)} | |`,
    `| count statement, \`work_mem\` 64MB | ${seconds(count64)} | ${ratio(count64, bestCount)} | |`,
    `| **run service preflight** (tuned) | **${seconds(ours)}** | **${ratio(ours, bestCount)}** | exact: ${count(median(p.map((s) => s.exact)))} affected |`,
    `| sampled estimate | ${millis(estimateMs)} | | error ${errors.map(pct).join(', ')}; 95% margin ±${(margin * 100).toFixed(2)}% |`,
    ...tenantRows.map(
      (t, i) =>
        `| one tenant (${i === 0 ? 'median size' : 'largest'}: ${t.externalId}, ${count(t.findings)} findings) | ${millis(t.againMs)} | | first call on a fresh copy (pages not yet in PostgreSQL's cache) ${millis(t.firstMs)} |`,
    ),
    '',
    '| exec peak RSS | median |',
    '| --- | ---: |',
    `| at ${count(r.smallFindings)} findings | ${mb(rssSmall)} |`,
    `| at ${count(r.findings)} findings | ${mb(rssBig)} (${ratio(rssBig, rssSmall)}) |`,
    '',
    'Targets:',
    `- exec ≤ 1.0× the floor: ${ratio(execWall, floor)}, ${verdict(execWall <= floor)}; chunk p99 ≤ 250 ms: ${millis(chunk('p99_ms'))}, ${verdict(chunk('p99_ms') <= 250)}; max ≤ 1 s: ${millis(chunk('max_ms'))}, ${verdict(chunk('max_ms') <= 1000)}`,
    `- all-tenants preflight ≤ 1.1× the best count: ${ratio(ours, bestCount)}, ${verdict(ours <= 1.1 * bestCount)}`,
    `- estimate within ±2% in ≤ 300 ms: worst ${pct(worstError)} in ${millis(estimateMs)}, ${verdict(Math.abs(worstError) <= 0.02 && estimateMs <= 300)}`,
    `- single-tenant preflight ≤ 50 ms (median tenant): ${millis(tenantRows[0]?.againMs ?? Number.NaN)}, ${verdict((tenantRows[0]?.againMs ?? Infinity) <= 50)}; first call ${millis(tenantRows[0]?.firstMs ?? Number.NaN)}, ${verdict((tenantRows[0]?.firstMs ?? Infinity) <= 50)}`,
    `- peak RSS at ${count(r.findings)} within 10% of ${count(r.smallFindings)}: ${ratio(rssBig, rssSmall)}, ${verdict(rssBig <= rssSmall * 1.1)}`,
  ];
  return lines.join('\n');
}
