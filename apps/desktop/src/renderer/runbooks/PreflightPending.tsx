import { makeStyles, Spinner, Text, tokens } from '@fluentui/react-components';
import type { PreflightEstimate } from '../api/types.ts';
import { formatCount } from '../format/numbers.ts';

const useStyles = makeStyles({
  root: { display: 'flex', alignItems: 'center', gap: '12px', flexWrap: 'wrap' },
  figure: {
    fontSize: tokens.fontSizeHero700,
    lineHeight: tokens.lineHeightHero700,
    fontWeight: tokens.fontWeightSemibold,
    color: tokens.colorPaletteDarkOrangeForeground1,
  },
  text: { display: 'flex', flexDirection: 'column', gap: '2px' },
  muted: { color: tokens.colorNeutralForeground2 },
});

/**
 * A preflight under way. When the runbook has a quick estimate and it came back first, its figure
 * with the 95% margin ("about 7,480 ± 112") shows until the exact count replaces it.
 */
export function PreflightPending({
  estimate,
  scopeText,
}: {
  estimate: PreflightEstimate | null;
  scopeText: string;
}) {
  const s = useStyles();
  if (!estimate) {
    return <Spinner size="small" label={`Running preflight on ${scopeText}…`} labelPosition="after" />;
  }
  const figure = estimate.exact
    ? formatCount(estimate.affected_count)
    : `≈ ${formatCount(estimate.affected_count)} ± ${formatCount(estimate.margin)}`;
  return (
    <div className={s.root} role="status" data-testid="preflight-estimate">
      <Text className={s.figure} data-estimate={estimate.exact ? 'exact' : 'sampled'}>
        {figure}
      </Text>
      <div className={s.text}>
        <Text weight="semibold">{estimate.exact ? 'Records to change' : 'Records to change (estimate)'}</Text>
        <Text size={200} className={s.muted}>
          {estimate.exact
            ? `Counted on ${scopeText}.`
            : `From a sample of ${formatCount(estimate.sampled)} of ${formatCount(estimate.population)} on ${scopeText}, 95% of the time within the margin.`}
        </Text>
      </div>
      <Spinner size="tiny" label="Counting exactly…" labelPosition="after" />
    </div>
  );
}
