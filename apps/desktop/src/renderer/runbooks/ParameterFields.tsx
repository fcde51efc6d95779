import {
  Dropdown,
  Field,
  Input,
  makeStyles,
  Option,
  SpinButton,
  Switch,
  Text,
  tokens,
} from '@fluentui/react-components';
import type { RunbookParameter } from '../api/types.ts';
import {
  type ParameterProblems,
  type ParameterValues,
  parameterLabel,
  rangeText,
} from './parameter-values.ts';

const useStyles = makeStyles({
  fieldset: {
    border: `1px solid ${tokens.colorNeutralStroke2}`,
    borderRadius: tokens.borderRadiusMedium,
    margin: 0,
    padding: '8px 16px 16px',
    minWidth: 0,
  },
  legend: { padding: '0 4px', fontWeight: tokens.fontWeightSemibold },
  grid: {
    display: 'grid',
    gridTemplateColumns: 'repeat(auto-fill, minmax(220px, 1fr))',
    gap: '12px 16px',
    alignItems: 'start',
  },
  // Fluent's drop-down has a wide minimum; in a grid cell it should fit the cell like the others.
  dropdown: { minWidth: 0, width: '100%' },
});

const NOT_SET = '';

function hintOf(parameter: RunbookParameter): string | undefined {
  const range = parameter.kind === 'number' || parameter.kind === 'integer' ? rangeText(parameter) : null;
  const parts = [parameter.description, range && `A number ${range}.`].filter(Boolean);
  return parts.length ? parts.join(' ') : undefined;
}

/**
 * A runbook's parameter form, rendered from the description the daemon gives (`parameters` of
 * `runbooks.list`): a text box, a number box, a spin button for whole numbers, a switch, a
 * drop-down of the allowed values, or a date box. Problems, the form's own or the daemon's
 * (`params.<name>`), show on their field.
 */
export function ParameterFields({
  parameters,
  values,
  problems,
  onChange,
  legend = 'Parameters',
}: {
  parameters: readonly RunbookParameter[];
  values: ParameterValues;
  problems: ParameterProblems;
  onChange: (values: ParameterValues) => void;
  legend?: string;
}) {
  const s = useStyles();
  if (parameters.length === 0) return null;
  const set = (name: string, value: string | boolean) => onChange({ ...values, [name]: value });
  return (
    <fieldset className={s.fieldset}>
      <legend className={s.legend}>
        <Text weight="semibold">{legend}</Text>
      </legend>
      <div className={s.grid}>
        {parameters.map((p) => (
          <Field
            key={p.name}
            label={parameterLabel(p)}
            required={p.required}
            hint={hintOf(p)}
            validationState={problems[p.name] ? 'error' : 'none'}
            validationMessage={problems[p.name]}
            data-param={p.name}
          >
            <ParameterInput parameter={p} value={values[p.name]} onChange={(v) => set(p.name, v)} />
          </Field>
        ))}
      </div>
    </fieldset>
  );
}

function ParameterInput({
  parameter: p,
  value,
  onChange,
}: {
  parameter: RunbookParameter;
  value: string | boolean | undefined;
  onChange: (value: string | boolean) => void;
}) {
  const s = useStyles();
  const text = typeof value === 'string' ? value : '';
  switch (p.kind) {
    case 'boolean':
      return (
        <Switch
          checked={value === true}
          onChange={(_, d) => onChange(d.checked)}
          label={value === true ? 'On' : 'Off'}
        />
      );
    case 'integer': {
      const n = text.trim() === '' ? null : Number(text);
      return (
        <SpinButton
          value={n !== null && Number.isFinite(n) ? n : null}
          displayValue={text}
          min={p.minimum ?? undefined}
          max={p.maximum ?? undefined}
          onChange={(_, d) => {
            if (d.value !== undefined) onChange(d.value === null ? '' : String(d.value));
            else onChange(d.displayValue ?? '');
          }}
        />
      );
    }
    case 'number':
      return (
        <Input
          type="number"
          inputMode="decimal"
          step="any"
          min={p.minimum ?? undefined}
          max={p.maximum ?? undefined}
          value={text}
          onChange={(_, d) => onChange(d.value)}
        />
      );
    case 'enum':
      return (
        <Dropdown
          className={s.dropdown}
          value={text || (p.required ? '' : 'Not set')}
          placeholder="Choose a value"
          selectedOptions={[text]}
          onOptionSelect={(_, d) => onChange(d.optionValue ?? NOT_SET)}
        >
          {!p.required && <Option value={NOT_SET}>Not set</Option>}
          {(p.options ?? []).map((o) => (
            <Option key={o} value={o}>
              {o}
            </Option>
          ))}
        </Dropdown>
      );
    case 'date':
      return <Input type="date" value={text} onChange={(_, d) => onChange(d.value)} />;
    default:
      return <Input value={text} onChange={(_, d) => onChange(d.value)} autoComplete="off" />;
  }
}
