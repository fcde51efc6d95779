import { Button, Field, makeStyles, Text, tokens } from '@fluentui/react-components';
import { DocumentArrowUpRegular } from '@fluentui/react-icons';
import type { CsvInputSpec } from '@ops/runbook-sdk/csv';
import { useId, useRef, useState } from 'react';
import { formatCount } from '../format/numbers.ts';
import { type ChosenCsv, type CsvCheck, checkCsvFile, describeCsvColumns } from './csv-file.ts';

const useStyles = makeStyles({
  row: { display: 'flex', gap: '12px', alignItems: 'center', flexWrap: 'wrap' },
  hidden: { display: 'none' },
  problems: { margin: 0, paddingLeft: '20px', color: tokens.colorPaletteRedForeground1 },
  ok: { color: tokens.colorNeutralForeground2 },
});

/**
 * The CSV file of a runbook that takes one: a file picker whose choice is checked at once by the
 * daemon's rules (the SDK's parser), every problem listed by line and column. Only a file that
 * passes is handed up (`onChange`), so preflight and run never see a bad one.
 */
export function CsvInputField({
  spec,
  onChange,
}: {
  spec: CsvInputSpec;
  onChange: (file: ChosenCsv | null) => void;
}) {
  const s = useStyles();
  const picker = useRef<HTMLInputElement>(null);
  const [check, setCheck] = useState<CsvCheck | null>(null);
  const hintId = useId();
  const choose = async (file: File | undefined) => {
    if (!file) return;
    const checked = checkCsvFile(spec, file.name, new Uint8Array(await file.arrayBuffer()));
    setCheck(checked);
    onChange(checked.ok ? checked.file : null);
  };
  const problems = check && !check.ok ? check.problems : [];
  return (
    <Field
      label="CSV file"
      required
      hint={`${spec.description ? `${spec.description}. ` : ''}Columns: ${describeCsvColumns(spec)}; at most ${formatCount(spec.maxRows)} rows.`}
      validationState={problems.length > 0 ? 'error' : 'none'}
      validationMessage={
        problems.length > 0 ? (
          <span>
            {check && !check.ok ? check.fileName : ''} cannot be used:
            <ul className={s.problems} data-testid="csv-problems">
              {problems.map((p) => (
                <li key={p}>{p}</li>
              ))}
            </ul>
          </span>
        ) : undefined
      }
    >
      <div className={s.row}>
        <input
          ref={picker}
          type="file"
          accept=".csv,text/csv"
          className={s.hidden}
          data-testid="csv-file-input"
          aria-describedby={hintId}
          onChange={(e) => {
            void choose(e.target.files?.[0]);
            e.target.value = ''; // choosing the same file again checks it again
          }}
        />
        <Button icon={<DocumentArrowUpRegular />} onClick={() => picker.current?.click()}>
          {check ? 'Choose another file…' : 'Choose file…'}
        </Button>
        {check?.ok && (
          <Text className={s.ok} id={hintId} data-testid="csv-file-ok">
            {check.file.fileName}: {formatCount(check.rowCount)} {check.rowCount === 1 ? 'row' : 'rows'},
            checked
          </Text>
        )}
      </div>
    </Field>
  );
}
