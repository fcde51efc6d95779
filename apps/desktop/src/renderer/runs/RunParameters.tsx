import { makeStyles, Text, tokens } from '@fluentui/react-components';
import { humanizeIdentifier } from '../format/names.ts';
import { formatParameterValue } from '../runbooks/parameter-values.ts';

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', gap: '8px' },
  list: { display: 'flex', flexWrap: 'wrap', gap: '8px 24px', margin: 0 },
  item: { display: 'flex', gap: '6px', alignItems: 'baseline' },
  name: { color: tokens.colorNeutralForeground2, margin: 0 },
  value: { margin: 0, fontWeight: tokens.fontWeightSemibold, wordBreak: 'break-word' },
});

/** The parameter values the run was started with (stored on the run); nothing when it had none. */
export function RunParameters({ params }: { params: Readonly<Record<string, unknown>> }) {
  const s = useStyles();
  const entries = Object.entries(params);
  if (entries.length === 0) return null;
  return (
    <div className={s.root}>
      <Text as="h3" weight="semibold" id="run-parameters-heading">
        Parameters
      </Text>
      <dl className={s.list} aria-labelledby="run-parameters-heading">
        {entries.map(([name, value]) => (
          <div key={name} className={s.item} data-param={name}>
            <dt className={s.name} title={name}>
              {humanizeIdentifier(name)}
            </dt>
            <dd className={s.value}>{formatParameterValue(value)}</dd>
          </div>
        ))}
      </dl>
    </div>
  );
}
