import { Card, makeStyles, Text, tokens } from '@fluentui/react-components';
import type { PreflightResult } from '../api/types.ts';
import { formatCount } from '../format/numbers.ts';

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

/** Preflight figures as stat cards: what would change, how much was looked at, how many tenants. */
export function PreflightStats({ result }: { result: PreflightResult }) {
  const s = useStyles();
  const figures = result as Record<string, unknown>;
  const stats: { key: string; label: string; value: number | undefined; tone?: string }[] = [
    {
      key: 'affected',
      label: 'Affected records',
      value: result.affected_count,
      tone: result.affected_count > 0 ? s.affected : s.none,
    },
    // Beyond affected_count, figures depend on the runbook: these two are on the SDK's allow-list.
    { key: 'scanned', label: 'Total scanned', value: numberOf(figures.total_scanned) },
    { key: 'tenants', label: 'Tenants', value: numberOf(figures.estimated_tenants) },
  ];
  return (
    <section className={s.grid} aria-label="Preflight results">
      {stats.map((stat) => (
        <Card key={stat.key} className={s.card} appearance="filled-alternative" data-stat={stat.key}>
          <Text size={200} className={s.label}>
            {stat.label}
          </Text>
          <Text className={`${s.value} ${stat.tone ?? ''}`}>{formatCount(stat.value)}</Text>
        </Card>
      ))}
    </section>
  );
}

function numberOf(v: unknown): number | undefined {
  return typeof v === 'number' ? v : undefined;
}
