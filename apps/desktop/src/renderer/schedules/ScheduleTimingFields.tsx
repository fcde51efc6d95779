import { Field, Input, makeStyles, Spinner, Text, tokens } from '@fluentui/react-components';
import { ErrorState } from '../components/states.tsx';
import { FireTimesList } from './FireTimesList.tsx';
import { timingProblems } from './schedule-form.ts';
import { TimeZoneCombobox } from './TimeZoneCombobox.tsx';
import { useFireTimesPreview } from './use-fire-times-preview.ts';

const useStyles = makeStyles({
  row: {
    display: 'grid',
    gridTemplateColumns: 'repeat(auto-fit, minmax(220px, 1fr))',
    gap: '12px 16px',
    // Not stretched to the taller field (the cron hint wraps, an error adds a line): a stretched
    // Field hands the extra height to its label row and pushes the zone box below the cron box.
    alignItems: 'start',
  },
  cron: { fontFamily: tokens.fontFamilyMonospace },
  preview: {
    display: 'flex',
    flexDirection: 'column',
    gap: '6px',
    padding: '10px 14px',
    borderRadius: tokens.borderRadiusMedium,
    backgroundColor: tokens.colorNeutralBackground3,
  },
  muted: { color: tokens.colorNeutralForeground2 },
});

const CRON_HINT =
  'Five fields: minute hour day-of-month month day-of-week (a sixth, seconds, may come first). ' +
  '“0 3 * * *” is every night at 03:00; “0 9 * * MON” every Monday at 09:00.';

/**
 * When a schedule fires: its cron expression, the zone it is read in, and a live preview of the
 * next fire times. The daemon judges the expression as it is typed; its verdict shows on the
 * field, as does a refusal on Save (`saveErrors`).
 */
export function ScheduleTimingFields({
  cron,
  timezone,
  onCronChange,
  onTimezoneChange,
  saveErrors,
}: {
  cron: string;
  timezone: string;
  onCronChange: (cron: string) => void;
  onTimezoneChange: (zone: string) => void;
  saveErrors: { cron?: string | undefined; timezone?: string | undefined };
}) {
  const s = useStyles();
  const preview = useFireTimesPreview(cron, timezone);
  const previewError = (field: string) =>
    preview.fieldError?.field === field ? preview.fieldError.message : undefined;
  // The local rule first (it is the daemon's, and answers at once), then the daemon's own verdicts.
  const local = timingProblems(cron, timezone);
  const cronError = local.cron ?? previewError('cron') ?? saveErrors.cron;
  const zoneError = local.timezone ?? previewError('timezone') ?? saveErrors.timezone;
  return (
    <>
      <div className={s.row}>
        <Field
          label="Cron expression"
          required
          hint={CRON_HINT}
          validationState={cronError ? 'error' : 'none'}
          validationMessage={cronError}
        >
          <Input
            className={s.cron}
            value={cron}
            onChange={(_, d) => onCronChange(d.value)}
            autoComplete="off"
            spellCheck={false}
          />
        </Field>
        <TimeZoneCombobox value={timezone} onChange={onTimezoneChange} error={zoneError} />
      </div>
      <section className={s.preview} aria-labelledby="fire-times-heading" data-testid="fire-times-preview">
        <Text weight="semibold" id="fire-times-heading">
          Next fire times
        </Text>
        {cronError || zoneError ? (
          <Text size={200} className={s.muted}>
            {cronError
              ? 'Correct the cron expression to see when it fires.'
              : 'Choose a time zone to see when it fires.'}
          </Text>
        ) : preview.error ? (
          <ErrorState error={preview.error} />
        ) : preview.times.length > 0 ? (
          <FireTimesList
            times={preview.times}
            timeZone={preview.timeZone}
            label="Next fire times"
            busy={!preview.current}
          />
        ) : (
          <Text size={200} className={s.muted}>
            {cron.trim()
              ? 'Working out the next fire times…'
              : 'Enter a cron expression to see when it fires.'}
          </Text>
        )}
        {!cronError && !zoneError && !preview.current && preview.times.length > 0 && (
          <Spinner size="extra-tiny" label="Updating the preview…" labelPosition="after" />
        )}
      </section>
    </>
  );
}
