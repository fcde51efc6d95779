import {
  Button,
  Dropdown,
  Field,
  makeStyles,
  Option,
  SearchBox,
  Text,
  tokens,
} from '@fluentui/react-components';
import {
  ArrowClockwiseRegular,
  ChevronLeftRegular,
  ChevronRightRegular,
  PlayCircleRegular,
} from '@fluentui/react-icons';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { useLocation } from 'wouter';
import { useTRPC } from '../api/trpc.ts';
import type { RunRecord, RunStatus } from '../api/types.ts';
import { paths } from '../app/paths.ts';
import { DateTime } from '../components/DateTime.tsx';
import { PageHeader } from '../components/PageHeader.tsx';
import { RouterLink } from '../components/RouterLink.tsx';
import { type Column, SortableTable } from '../components/SortableTable.tsx';
import { EmptyState, ErrorState, LoadingState } from '../components/states.tsx';
import { formatCount } from '../format/numbers.ts';
import { formatDuration } from '../format/time.ts';
import { actorText, breakGlassOf, runDuration, updatedCount } from '../runs/run-figures.ts';
import { isActiveStatus, RUN_STATUS_BADGES } from '../status/badge-specs.ts';
import { BreakGlassBadge, RunOutcomeBadge, RunStatusBadge, ScopeBadge } from '../status/RunBadges.tsx';

const PAGE_SIZE = 25;
const ALL = '';

const useStyles = makeStyles({
  filters: { display: 'flex', gap: '12px', alignItems: 'flex-end', flexWrap: 'wrap' },
  pager: { display: 'flex', gap: '8px', alignItems: 'center', justifyContent: 'flex-end' },
  muted: { color: tokens.colorNeutralForeground2 },
  actor: { display: 'inline-flex', gap: '6px', alignItems: 'center', flexWrap: 'wrap' },
});

const cmp = (a: string | number | null, b: string | number | null) =>
  a === b ? 0 : a === null ? -1 : b === null ? 1 : a < b ? -1 : 1;

export function RunsPage() {
  const s = useStyles();
  const trpc = useTRPC();
  const [, navigate] = useLocation();
  const [runbookId, setRunbookId] = useState(ALL);
  const [status, setStatus] = useState<RunStatus | typeof ALL>(ALL);
  const [actorFilter, setActorFilter] = useState('');
  // Cursor paging: the cursors of the pages before this one, so Previous is exact.
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const cursor = cursors.at(-1);

  const runbooks = useQuery(trpc.runbooks.list.queryOptions(undefined, { retry: false }));
  const titles = useMemo(() => new Map((runbooks.data ?? []).map((r) => [r.id, r.title])), [runbooks.data]);
  const runs = useQuery(
    trpc.runs.list.queryOptions(
      {
        limit: PAGE_SIZE,
        ...(cursor ? { cursor } : {}),
        ...(runbookId ? { runbookId } : {}),
        ...(status ? { status } : {}),
      },
      {
        placeholderData: keepPreviousData,
        // Active runs move: keep the page current while any is on it.
        refetchInterval: (q) => (q.state.data?.items.some((r) => isActiveStatus(r.status)) ? 3000 : false),
      },
    ),
  );
  const resetPaging = () => setCursors([undefined]);
  const needle = actorFilter.trim().toLowerCase();
  const items = (runs.data?.items ?? []).filter(
    (r) => !needle || r.actorLabel.toLowerCase().includes(needle),
  );
  const title = (r: RunRecord) => titles.get(r.type) ?? r.type;

  const columns: Column<RunRecord>[] = [
    {
      id: 'id',
      label: 'Run',
      compare: (a, b) => cmp(Number(a.id), Number(b.id)),
      render: (r) => <RouterLink to={paths.run(r.id)}>#{r.id}</RouterLink>,
      width: '70px',
    },
    { id: 'runbook', label: 'Runbook', compare: (a, b) => cmp(title(a), title(b)), render: title },
    { id: 'scope', label: 'Scope', render: (r) => <ScopeBadge scope={r.scope} /> },
    {
      id: 'status',
      label: 'Status',
      compare: (a, b) => cmp(a.status, b.status),
      render: (r) => <RunStatusBadge status={r.status} />,
    },
    {
      id: 'outcome',
      label: 'Outcome',
      compare: (a, b) => cmp(a.outcome, b.outcome),
      render: (r) => <RunOutcomeBadge outcome={r.outcome} />,
    },
    {
      id: 'actor',
      label: 'Actor',
      compare: (a, b) => cmp(a.actorLabel, b.actorLabel),
      render: (r) => {
        const bg = breakGlassOf(r);
        return (
          <span className={s.actor}>
            {actorText(r.actor, r.actorLabel)}
            {bg && <BreakGlassBadge reason={bg.reason} />}
          </span>
        );
      },
    },
    {
      id: 'started',
      label: 'Started',
      compare: (a, b) => cmp(a.startedAt ?? a.createdAt, b.startedAt ?? b.createdAt),
      render: (r) => <DateTime iso={r.startedAt ?? r.createdAt} />,
    },
    {
      id: 'duration',
      label: 'Duration',
      compare: (a, b) => cmp(runDuration(a), runDuration(b)),
      render: (r) => formatDuration(runDuration(r)),
    },
    {
      id: 'updated',
      label: 'Updated',
      compare: (a, b) => cmp(updatedCount(a), updatedCount(b)),
      render: (r) => formatCount(updatedCount(r)),
    },
  ];

  return (
    <>
      <PageHeader
        title="Runs"
        description="Every run of every runbook, newest first: from this console, from deploys (system:cli) and from schedules."
        actions={
          <Button icon={<ArrowClockwiseRegular />} onClick={() => runs.refetch()} disabled={runs.isFetching}>
            Refresh
          </Button>
        }
      />
      <search className={s.filters} aria-label="Filter runs">
        <Field label="Runbook">
          <Dropdown
            value={runbookId ? (titles.get(runbookId) ?? runbookId) : 'All runbooks'}
            selectedOptions={[runbookId]}
            onOptionSelect={(_, d) => {
              setRunbookId(d.optionValue ?? ALL);
              resetPaging();
            }}
          >
            <Option value={ALL}>All runbooks</Option>
            {(runbooks.data ?? []).map((r) => (
              <Option key={r.id} value={r.id}>
                {r.title}
              </Option>
            ))}
          </Dropdown>
        </Field>
        <Field label="Status">
          <Dropdown
            value={status ? RUN_STATUS_BADGES[status].label : 'All statuses'}
            selectedOptions={[status]}
            onOptionSelect={(_, d) => {
              setStatus((d.optionValue ?? ALL) as RunStatus | typeof ALL);
              resetPaging();
            }}
          >
            <Option value={ALL}>All statuses</Option>
            {(Object.keys(RUN_STATUS_BADGES) as RunStatus[]).map((st) => (
              <Option key={st} value={st}>
                {RUN_STATUS_BADGES[st].label}
              </Option>
            ))}
          </Dropdown>
        </Field>
        <Field label="Actor on this page">
          <SearchBox
            value={actorFilter}
            onChange={(_, d) => setActorFilter(d.value)}
            placeholder="e-mail or system:cli"
          />
        </Field>
      </search>
      {runs.isPending && <LoadingState label="Loading runs…" />}
      {runs.isError && <ErrorState error={runs.error} onRetry={() => runs.refetch()} />}
      {runs.data && items.length === 0 && (
        <EmptyState
          icon={<PlayCircleRegular />}
          title={runs.data.items.length === 0 ? 'No runs yet' : 'No run matches the filters'}
        >
          {runs.data.items.length === 0 ? (
            <>
              Start one from the <RouterLink to={paths.runbooks}>runbooks</RouterLink>, or with{' '}
              <code>ops-daemon exec</code>.
            </>
          ) : (
            'Clear the actor filter or choose another page.'
          )}
        </EmptyState>
      )}
      {items.length > 0 && (
        <SortableTable
          label="Runs"
          items={items}
          columns={columns}
          rowKey={(r) => r.id}
          onRowClick={(r) => navigate(paths.run(r.id))}
        />
      )}
      {runs.data && (
        <nav className={s.pager} aria-label="Pages of runs">
          <Text size={200} className={s.muted}>
            Page {cursors.length}
          </Text>
          <Button
            icon={<ChevronLeftRegular />}
            disabled={cursors.length === 1}
            onClick={() => setCursors((c) => c.slice(0, -1))}
          >
            Newer
          </Button>
          <Button
            icon={<ChevronRightRegular />}
            iconPosition="after"
            disabled={!runs.data.nextCursor}
            onClick={() => setCursors((c) => [...c, runs.data.nextCursor ?? undefined])}
          >
            Older
          </Button>
        </nav>
      )}
    </>
  );
}
