import { Combobox, Field, Option, Textarea } from '@fluentui/react-components';
import { useState } from 'react';
import {
  matchReasonCode,
  REASON_CODE_LABELS,
  REASON_CODES,
  REASON_TEXT_MAX,
  reasonCodeLabel,
} from '../api/reasons.ts';
import type { ReasonCode } from '../api/types.ts';

/**
 * Reason code and reason text, as used by the run dialog and break-glass. The code can be picked or
 * typed (its code or label); the text shows a live counter against the 500-character limit.
 */
export function ReasonFields({
  code,
  text,
  onCodeChange,
  onTextChange,
  required,
  codeError,
  textError,
  purpose = 'Say what is wrong and why this run fixes it; it is kept on the run and in the audit log.',
}: {
  code: ReasonCode | null;
  text: string;
  onCodeChange: (code: ReasonCode | null) => void;
  onTextChange: (text: string) => void;
  required: boolean;
  codeError?: string | undefined;
  textError?: string | undefined;
  /** What the reason should say and where it is kept (break-glass has no run to speak of). */
  purpose?: string;
}) {
  const [typed, setTyped] = useState(code ? reasonCodeLabel(code) : '');
  const length = text.length;
  const over = length > REASON_TEXT_MAX;
  return (
    <>
      <Field
        label="Reason code"
        required={required}
        validationState={codeError ? 'error' : 'none'}
        validationMessage={codeError}
      >
        <Combobox
          placeholder="Choose or type a reason code"
          value={typed}
          selectedOptions={code ? [code] : []}
          onInput={(e) => {
            const value = (e.target as HTMLInputElement).value;
            setTyped(value);
            onCodeChange(matchReasonCode(value));
          }}
          onOptionSelect={(_, d) => {
            const picked = (d.optionValue as ReasonCode | undefined) ?? null;
            setTyped(picked ? reasonCodeLabel(picked) : '');
            onCodeChange(picked);
          }}
        >
          {REASON_CODES.map((c) => (
            <Option key={c} value={c} text={reasonCodeLabel(c)}>
              {`${REASON_CODE_LABELS[c]} (${c})`}
            </Option>
          ))}
        </Combobox>
      </Field>
      <Field
        label="Reason"
        required={required}
        validationState={over || textError ? 'error' : 'none'}
        validationMessage={
          over ? `At most ${REASON_TEXT_MAX} characters: remove ${length - REASON_TEXT_MAX}.` : textError
        }
        hint={`${length} / ${REASON_TEXT_MAX} characters. ${purpose}`}
      >
        <Textarea value={text} onChange={(_, d) => onTextChange(d.value)} resize="vertical" rows={3} />
      </Field>
    </>
  );
}
