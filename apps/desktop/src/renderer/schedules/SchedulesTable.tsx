import { Badge, Button, makeStyles, Text, Tooltip, tokens } from '@fluentui/react-components';
import { DeleteRegular, EditRegular } from '@fluentui/react-icons';
import { reasonCodeLabel } from '../api/reasons.ts';
import type { Schedule } from '../api/types.ts';
import { type Column, SortableTable } from '../components/SortableTable.tsx';
import { ScopeBadge } from '../status/RunBadges.tsx';
import { FireTimesList } from './FireTimesList.tsx';
import { LastOccurrence } from './LastOccurrence.tsx';
import { SCHEDULE_MODE_LABELS } from './ScheduleTargetFields.tsx';

const useStyles = makeStyles({
  stack: { display: 'flex', flexDirection: 'column', gap: '2px', alignItems: 'flex-start' },
  cron: { fontFamily: tokens.fontFamilyMonospace, whiteSpace: 'nowrap' },
  muted: { color: tokens.colorNeutralForeground2 },
  actions: { display: 'flex', gap: '4px' },
});

const cmp = (a: string, b: string) => a.localeCompare(b);

/**
 * The schedules: what runs, where, how, when next, and how the last tick went. Edit and Delete
 * only for operators who may manage schedules (`onEdit`/`onDelete` given).
 */
export function SchedulesTable({
  schedules,
  runbookTitle,
  onEdit,
  onDelete,
}: {
  schedules: readonly Schedule[];
  runbookTitle: (id: string) => string;
  onEdit?: ((schedule: Schedule) => void) | undefined;
  onDelete?: ((schedule: Schedule) => void) | undefined;
}) {
  const s = useStyles();
  const columns: Column<Schedule>[] = [
    {
      id: 'name',
      label: 'Name',
      compare: (a, b) => cmp(a.name, b.name),
      render: (x) => (
        <div className={s.stack}>
          <Text weight="semibold">{x.name}</Text>
          <Text size={200} className={s.muted}>
            by {x.createdBy.email}
          </Text>
        </div>
      ),
    },
    {
      id: 'runbook',
      label: 'Runbook',
      compare: (a, b) => cmp(runbookTitle(a.runbookId), runbookTitle(b.runbookId)),
      render: (x) => runbookTitle(x.runbookId),
    },
    { id: 'scope', label: 'Scope', render: (x) => <ScopeBadge scope={x.scope} /> },
    {
      id: 'mode',
      label: 'Mode',
      compare: (a, b) => cmp(a.mode, b.mode),
      render: (x) => <ModeBadge schedule={x} />,
    },
    {
      id: 'when',
      label: 'Cron',
      render: (x) => (
        <div className={s.stack}>
          <code className={s.cron}>{x.cron}</code>
          <Text size={200} className={s.muted}>
            {x.timezone}
          </Text>
        </div>
      ),
    },
    {
      id: 'enabled',
      label: 'Enabled',
      compare: (a, b) => Number(b.enabled) - Number(a.enabled),
      render: (x) => (
        <Badge appearance={x.enabled ? 'filled' : 'outline'} color={x.enabled ? 'success' : 'informative'}>
          {x.enabled ? 'On' : 'Off'}
        </Badge>
      ),
    },
    {
      id: 'next',
      label: 'Next fire times',
      compare: (a, b) => cmp(a.nextFireTimes[0] ?? '~', b.nextFireTimes[0] ?? '~'),
      render: (x) =>
        x.nextFireTimes.length ? (
          <FireTimesList
            times={x.nextFireTimes}
            timeZone={x.timezone}
            label={`Next fire times of ${x.name}`}
          />
        ) : (
          <Text size={200} className={s.muted}>
            Disabled: does not fire
          </Text>
        ),
    },
    { id: 'last', label: 'Last occurrence', render: (x) => <LastOccurrence occurrence={x.lastOccurrence} /> },
  ];
  if (onEdit && onDelete) {
    columns.push({
      id: 'actions',
      label: 'Actions',
      render: (x) => (
        <div className={s.actions}>
          <Tooltip content={`Edit ${x.name}`} relationship="label">
            <Button appearance="subtle" icon={<EditRegular />} onClick={() => onEdit(x)} />
          </Tooltip>
          <Tooltip content={`Delete ${x.name}`} relationship="label">
            <Button appearance="subtle" icon={<DeleteRegular />} onClick={() => onDelete(x)} />
          </Tooltip>
        </div>
      ),
    });
  }
  return (
    <SortableTable
      label="Schedules"
      items={schedules}
      columns={columns}
      rowKey={(x) => x.id}
      defaultSort={{ column: 'name', direction: 'ascending' }}
    />
  );
}

function ModeBadge({ schedule }: { schedule: Schedule }) {
  const run = schedule.mode === 'run';
  const badge = (
    <Badge
      appearance="tint"
      color={run ? 'important' : 'informative'}
      style={{ whiteSpace: 'nowrap' }}
      tabIndex={run ? 0 : undefined}
    >
      {SCHEDULE_MODE_LABELS[schedule.mode].label}
    </Badge>
  );
  if (!run) return badge;
  return (
    <Tooltip
      content={`Reason: ${reasonCodeLabel(schedule.reasonCode)}: ${schedule.reasonText ?? ''}`}
      relationship="description"
    >
      {badge}
    </Tooltip>
  );
}
