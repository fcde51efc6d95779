import { Card, makeStyles, Text, tokens } from '@fluentui/react-components';
import type { PreflightEstimate, PreflightResult } from '../api/types.ts';
import { formatCount } from '../format/numbers.ts';
import { summaryEntries, summaryLabel, summaryValue } from '../runs/summary-labels.ts';

const useStyles = makeStyles({
  grid: { display: 'grid', gridTemplateColumns: 'repeat(auto-fit, minmax(140px, 1fr))', gap: '12px' },
  card: { padding: '12px 16px', gap: '2px' },
  label: { color: tokens.colorNeutralForeground2 },
  value: {
    fontSize: tokens.fontSizeHero700,
    lineHeight: tokens.lineHeightHero700,
    fontWeight: tokens.fontWeightSemibold,
  },
  affected: { color: tokens.colorPaletteDarkOrangeForeground1 },
  none: { color: tokens.colorPaletteGreenForeground1 },
});

/** "Estimate was ≈ 7,480 ± 112": what the sample said before the exact count, kept beside it. */
export function estimateWas(estimate: PreflightEstimate): string {
  return `Estimate was ≈ ${formatCount(estimate.affected_count)} ± ${formatCount(estimate.margin)}`;
}

/**
 * Preflight figures as stat cards: what would change (exact, with the estimate that came before it
 * and its margin), then every other figure the preflight returned that is a core summary key or one
 * the runbook declares (`summaryKeys`), each labelled as the run's summary labels it.
 */
export function PreflightStats({
  result,
  summaryKeys = [],
  estimateBefore = null,
}: {
  result: PreflightResult;
  summaryKeys?: readonly string[];
  estimateBefore?: PreflightEstimate | null;
}) {
  const s = useStyles();
  const others = summaryEntries(result as Record<string, unknown>, summaryKeys).filter(
    ([key]) => key !== 'affected_count',
  );
  return (
    <section className={s.grid} aria-label="Preflight results">
      <Card className={s.card} appearance="filled-alternative" data-stat="affected">
        <Text size={200} className={s.label}>
          Affected records (exact)
        </Text>
        <Text className={`${s.value} ${result.affected_count > 0 ? s.affected : s.none}`} data-value="">
          {formatCount(result.affected_count)}
        </Text>
        {estimateBefore && (
          <Text size={200} className={s.label} data-testid="estimate-before">
            {estimateWas(estimateBefore)}
          </Text>
        )}
      </Card>
      {others.map(([key, value]) => (
        <Card key={key} className={s.card} appearance="filled-alternative" data-stat={key}>
          <Text size={200} className={s.label}>
            {key === 'total_scanned' ? 'Total scanned' : summaryLabel(key)}
          </Text>
          <Text className={s.value} data-value="">
            {summaryValue(key, value)}
          </Text>
        </Card>
      ))}
    </section>
  );
}
