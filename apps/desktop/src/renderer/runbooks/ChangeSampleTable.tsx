import {
  makeStyles,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
  tokens,
} from '@fluentui/react-components';
import type { ChangeSample } from '../api/types.ts';
import { formatCount } from '../format/numbers.ts';

const useStyles = makeStyles({
  section: { display: 'flex', flexDirection: 'column', gap: '6px', minWidth: 0 },
  caption: { color: tokens.colorNeutralForeground2 },
  // A sample of 20 findings may have a hundred changed fields: it scrolls, the dialog does not grow.
  scroll: {
    maxHeight: '260px',
    overflowY: 'auto',
    border: `1px solid ${tokens.colorNeutralStroke2}`,
    borderRadius: tokens.borderRadiusMedium,
  },
  // Fixed columns that wrap: no horizontal scrolling in a 640 px dialog or an 800 px window.
  table: { tableLayout: 'fixed', width: '100%' },
  finding: { width: '11%' },
  tenant: { width: '16%' },
  field: { width: '19%' },
  value: {
    fontFamily: tokens.fontFamilyMonospace,
    fontSize: tokens.fontSizeBase200,
    overflowWrap: 'anywhere',
  },
  wrap: { overflowWrap: 'anywhere' },
  none: { color: tokens.colorNeutralForeground3, fontStyle: 'italic' },
  after: { color: tokens.colorPaletteDarkOrangeForeground1 },
});

/**
 * Rehearse with a diff (issue 14): a sample of the records the run would change, one line per
 * changed field, before → after, as the runbook derives them (the same derivation the run
 * applies). A finding's id and tenant are shown on its first line only, so its fields read as one.
 */
export function ChangeSampleTable({ sample, scopeText }: { sample: ChangeSample; scopeText: string }) {
  const s = useStyles();
  if (sample.length === 0) return null;
  const findings = new Set(sample.map((r) => r.key)).size;
  const tenants = new Set(sample.map((r) => r.tenant)).size;
  const value = (v: string | null) => {
    if (v === null) return <span className={s.none}>empty</span>;
    // A timestamp breaks between its date and its time, not at an arbitrary digit.
    const at = /^(\d{4}-\d{2}-\d{2}T)(.+)$/.exec(v);
    return at ? (
      <>
        {at[1]}
        <wbr />
        {at[2]}
      </>
    ) : (
      v
    );
  };
  return (
    <div className={s.section} data-testid="change-sample">
      <Text size={200} className={s.caption}>
        What the run would change: a sample of {formatCount(findings)} {findings === 1 ? 'record' : 'records'}{' '}
        on {scopeText} ({formatCount(tenants)} {tenants === 1 ? 'tenant' : 'tenants'}), each changed field
        before → after.
      </Text>
      {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling box must be reachable by keyboard (axe scrollable-region-focusable) */}
      <section className={s.scroll} tabIndex={0} aria-label="Changes the run would make, scrollable">
        <Table size="extra-small" className={s.table} aria-label="Changes the run would make">
          <TableHeader>
            <TableRow>
              <TableHeaderCell className={s.finding}>Finding</TableHeaderCell>
              <TableHeaderCell className={s.tenant}>Tenant</TableHeaderCell>
              <TableHeaderCell className={s.field}>Field</TableHeaderCell>
              <TableHeaderCell>Before</TableHeaderCell>
              <TableHeaderCell>After</TableHeaderCell>
            </TableRow>
          </TableHeader>
          <TableBody>
            {sample.map((row, i) => {
              const first = i === 0 || sample[i - 1]!.key !== row.key;
              return (
                <TableRow key={`${row.key}:${row.field}`} data-key={row.key} data-field={row.field}>
                  <TableCell className={s.wrap}>{first ? `#${row.key}` : ''}</TableCell>
                  <TableCell className={s.wrap}>{first ? row.tenant : ''}</TableCell>
                  <TableCell className={s.wrap}>{row.field}</TableCell>
                  <TableCell className={s.value} data-value="before">
                    {value(row.before)}
                  </TableCell>
                  <TableCell className={`${s.value} ${s.after}`} data-value="after">
                    {value(row.after)}
                  </TableCell>
                </TableRow>
              );
            })}
          </TableBody>
        </Table>
      </section>
    </div>
  );
}
