import { Combobox, Field, Option } from '@fluentui/react-components';
import { useMemo, useState } from 'react';
import { knownTimeZones } from '../format/time.ts';

/** Enough to pick from while typing; the full list is one more letter away. */
const MAX_SHOWN = 80;

function matches(zone: string, typed: string): boolean {
  const needle = typed.trim().toLowerCase().replaceAll(' ', '_');
  return needle === '' || zone.toLowerCase().includes(needle);
}

/**
 * The zone a schedule's cron expression is read in: searchable ("berlin", "new york") over the
 * IANA zones this browser knows, UTC first. Only a listed zone can be chosen.
 */
export function TimeZoneCombobox({
  value,
  onChange,
  error,
}: {
  value: string;
  onChange: (zone: string) => void;
  error?: string | undefined;
}) {
  const zones = useMemo(knownTimeZones, []);
  const [typed, setTyped] = useState(value);
  const [open, setOpen] = useState(false);
  // Just opened on the chosen zone: show them all, not only the one that matches its name.
  const filter = typed === value ? '' : typed;
  const shown = zones.filter((z) => matches(z, filter));

  const commit = (zone: string) => {
    setTyped(zone);
    onChange(zone);
  };

  return (
    <Field
      label="Time zone"
      required
      hint="The cron expression is read on this zone’s clock, daylight saving included."
      validationState={error ? 'error' : 'none'}
      validationMessage={error}
    >
      <Combobox
        value={typed}
        selectedOptions={[value]}
        placeholder="Search time zones"
        onChange={(e) => setTyped(e.target.value)}
        onOptionSelect={(_, d) => {
          if (d.optionValue) commit(d.optionValue);
        }}
        open={open}
        onOpenChange={(_, d) => setOpen(d.open)}
        onKeyDown={(e) => {
          // Escape belongs to the zone box while it has something to undo (its list is open, or a
          // search is typed): it closes the list, or puts the chosen zone back. Only then does a
          // further Escape reach the dialog, which would close and lose the form.
          if (e.key !== 'Escape' || (!open && typed === value)) return;
          e.stopPropagation();
          if (!open) setTyped(value);
        }}
        onBlur={() => {
          // A zone typed out in full counts as chosen. Anything else typed stays, with the form's
          // error under it: never silently another zone (UTC) than the one the operator wrote.
          const exact = zones.find((z) => z.toLowerCase() === typed.trim().toLowerCase());
          if (exact) commit(exact);
          else if (typed.trim() && typed !== value) onChange(typed.trim());
          else setTyped(value);
        }}
        data-testid="time-zone"
      >
        {shown.slice(0, MAX_SHOWN).map((zone) => (
          <Option key={zone} value={zone}>
            {zone}
          </Option>
        ))}
        {shown.length > MAX_SHOWN && (
          <Option disabled value="" text="">
            {`${shown.length - MAX_SHOWN} more: keep typing to narrow the list`}
          </Option>
        )}
        {shown.length === 0 && (
          <Option disabled value="" text="">
            {`No time zone matches “${typed}”`}
          </Option>
        )}
      </Combobox>
    </Field>
  );
}
