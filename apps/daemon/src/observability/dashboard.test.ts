import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { enableMetrics } from './metrics.ts';

const DASHBOARD = new URL('../../../../docs/grafana/ops-runbooks.json', import.meta.url);

interface Panel {
  title: string;
  targets?: { expr: string }[];
}

/** The metric names a PromQL expression reads (functions, labels and keywords left out). */
function metricNames(expr: string): string[] {
  const withoutLabels = expr.replace(/\{[^}]*\}/g, '').replace(/\[[^\]]*\]/g, '');
  const words = withoutLabels.match(/\b[a-z_][a-z0-9_]*\b/g) ?? [];
  return words.filter((w) => /^(ops|process|nodejs)_/.test(w));
}

/** A histogram's series carry suffixes its registered name does not. */
function registeredName(series: string, names: Set<string>): string | undefined {
  if (names.has(series)) return series;
  const base = series.replace(/_(bucket|count|sum)$/, '');
  return names.has(base) ? base : undefined;
}

describe('docs/grafana/ops-runbooks.json', () => {
  const dashboard = JSON.parse(fs.readFileSync(DASHBOARD, 'utf8')) as { panels: Panel[] };
  const exprs = dashboard.panels.flatMap((p) =>
    (p.targets ?? []).map((t) => ({ panel: p.title, expr: t.expr })),
  );

  it('reads only metrics the daemon registers', async () => {
    const names = new Set((await (await enableMetrics()).getMetricsAsJSON()).map((m) => m.name));
    expect(exprs.length).toBeGreaterThan(10);
    for (const { panel, expr } of exprs) {
      const used = metricNames(expr);
      expect(used.length, `${panel}: ${expr}`).toBeGreaterThan(0);
      for (const name of used) expect(registeredName(name, names), `${panel}: ${name}`).toBeDefined();
    }
  });

  it("shows every one of the daemon's own metrics", async () => {
    const used = new Set(
      exprs.flatMap(({ expr }) => metricNames(expr)).map((n) => n.replace(/_(bucket|count|sum)$/, '')),
    );
    const own = (await (await enableMetrics()).getMetricsAsJSON())
      .map((m) => m.name)
      .filter((n) => n.startsWith('ops_'));
    expect(own.length).toBeGreaterThan(10);
    for (const name of own) expect(used.has(name), name).toBe(true);
  });
});
