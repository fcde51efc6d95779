import { makeStyles, Text, tokens } from '@fluentui/react-components';
import { formatCount } from '../format/numbers.ts';

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', gap: '8px' },
  list: { display: 'flex', flexWrap: 'wrap', gap: '8px 24px', margin: 0 },
  item: { display: 'flex', gap: '6px', alignItems: 'baseline' },
  name: { color: tokens.colorNeutralForeground2, margin: 0 },
  value: { margin: 0, fontWeight: tokens.fontWeightSemibold, wordBreak: 'break-all' },
  hash: { fontFamily: tokens.fontFamilyMonospace },
});

interface StoredInput {
  file_name: string;
  sha256: string;
  row_count: number;
}

function storedInputOf(context: Readonly<Record<string, unknown>>): StoredInput | null {
  const input = context.input as Partial<StoredInput> | undefined;
  return input && typeof input.file_name === 'string' && typeof input.sha256 === 'string'
    ? { file_name: input.file_name, sha256: input.sha256, row_count: Number(input.row_count ?? 0) }
    : null;
}

/** The CSV file the run was started with (kept with the run): name, rows and SHA-256; nothing without one. */
export function RunInputFile({ context }: { context: Readonly<Record<string, unknown>> }) {
  const s = useStyles();
  const input = storedInputOf(context);
  if (!input) return null;
  return (
    <div className={s.root} data-testid="run-input-file">
      <Text as="h3" weight="semibold" id="run-input-heading">
        Input file
      </Text>
      <dl className={s.list} aria-labelledby="run-input-heading">
        <div className={s.item}>
          <dt className={s.name}>File</dt>
          <dd className={s.value} data-testid="run-input-name">
            {input.file_name}
          </dd>
        </div>
        <div className={s.item}>
          <dt className={s.name}>Rows</dt>
          <dd className={s.value} data-testid="run-input-rows">
            {formatCount(input.row_count)}
          </dd>
        </div>
        <div className={s.item}>
          <dt className={s.name}>SHA-256</dt>
          <dd className={`${s.value} ${s.hash}`} data-testid="run-input-sha256">
            {input.sha256}
          </dd>
        </div>
      </dl>
    </div>
  );
}
