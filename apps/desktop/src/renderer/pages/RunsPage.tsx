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
import { ArrowClockwiseRegular, DismissRegular, PlayCircleRegular } from '@fluentui/react-icons';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
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
import { Breakable } from '../lists/breakable.tsx';
import { ListPager } from '../lists/ListPager.tsx';
import { hasFilters, type ListSpec, useListUrlState } from '../lists/list-url-state.ts';
import { useUrlTextFilter } from '../lists/use-url-text-filter.ts';
import { actorText, breakGlassOf, runDuration, updatedCount } from '../runs/run-figures.ts';
import { isActiveStatus, RUN_STATUS_BADGES } from '../status/badge-specs.ts';
import { BreakGlassBadge, RunOutcomeBadge, RunStatusBadge, ScopeBadge } from '../status/RunBadges.tsx';

const PAGE_SIZE = 25;
const ALL = '';

const RUN_SORTS = ['id', 'runbook', 'status', 'outcome', 'actor', 'started', 'duration', 'updated'] as const;
type RunSort = (typeof RUN_SORTS)[number];
/** The runs list in the URL: ?runbook=…&status=…&actor=…&sort=started&dir=asc&after=37. */
const RUNS_LIST: ListSpec<'runbook' | 'status' | 'actor', RunSort> = {
  filters: ['runbook', 'status', 'actor'],
  sorts: RUN_SORTS,
  defaultDirection: 'desc',
};
const isRunStatus = (v: string): v is RunStatus => Object.hasOwn(RUN_STATUS_BADGES, v);

const useStyles = makeStyles({
  filters: { display: 'flex', gap: '12px', alignItems: 'flex-end', flexWrap: 'wrap' },
  footer: {
    display: 'flex',
    gap: '12px',
    alignItems: 'center',
    justifyContent: 'space-between',
    flexWrap: 'wrap',
  },
  muted: { color: tokens.colorNeutralForeground2 },
  actor: { display: 'inline-flex', gap: '6px', alignItems: 'center', flexWrap: 'wrap' },
});

export function RunsPage() {
  const s = useStyles();
  const trpc = useTRPC();
  const [, navigate] = useLocation();
  // Sort, filters and page live in the URL; the daemon sorts, filters and pages (all runs, not
  // only the loaded page).
  const list = useListUrlState(RUNS_LIST);
  const { filters, sort, direction, after, before } = list.state;
  const runbookId = filters.runbook;
  const status = isRunStatus(filters.status) ? filters.status : ALL;
  const [actorTyped, setActorTyped] = useUrlTextFilter(filters.actor, (v) =>
    list.setFilter('actor', v, true),
  );
  const filtered = hasFilters(filters);

  const runbooks = useQuery(trpc.runbooks.list.queryOptions(undefined, { retry: false }));
  const titles = useMemo(() => new Map((runbooks.data ?? []).map((r) => [r.id, r.title])), [runbooks.data]);
  const runs = useQuery(
    trpc.runs.list.queryOptions(
      {
        limit: PAGE_SIZE,
        ...(after ? { cursor: after } : before ? { before } : {}),
        ...(runbookId ? { runbookId } : {}),
        ...(status ? { status } : {}),
        ...(filters.actor.trim() ? { actor: filters.actor.trim() } : {}),
        ...(sort ? { sort, direction } : {}),
      },
      {
        placeholderData: keepPreviousData,
        // Active runs move: keep the page current while any is on it.
        refetchInterval: (q) => (q.state.data?.items.some((r) => isActiveStatus(r.status)) ? 3000 : false),
      },
    ),
  );
  const items = runs.data?.items ?? [];
  const title = (r: RunRecord) => titles.get(r.type) ?? r.type;

  const columns: Column<RunRecord>[] = [
    {
      id: 'id',
      label: 'Run',
      sortable: true,
      render: (r) => <RouterLink to={paths.run(r.id)}>#{r.id}</RouterLink>,
      width: '70px',
    },
    { id: 'runbook', label: 'Runbook', sortable: true, render: title },
    { id: 'scope', label: 'Scope', render: (r) => <ScopeBadge scope={r.scope} /> },
    {
      id: 'status',
      label: 'Status',
      sortable: true,
      render: (r) => <RunStatusBadge status={r.status} />,
    },
    {
      id: 'outcome',
      label: 'Outcome',
      sortable: true,
      render: (r) => <RunOutcomeBadge outcome={r.outcome} />,
    },
    {
      id: 'actor',
      label: 'Actor',
      sortable: true,
      render: (r) => {
        const bg = breakGlassOf(r);
        return (
          <span className={s.actor}>
            <Breakable text={actorText(r.actor, r.actorLabel)} />
            {bg && <BreakGlassBadge reason={bg.reason} />}
          </span>
        );
      },
    },
    {
      id: 'started',
      label: 'Started',
      sortable: true,
      render: (r) => <DateTime iso={r.startedAt ?? r.createdAt} />,
    },
    {
      id: 'duration',
      label: 'Duration',
      sortable: true,
      render: (r) => formatDuration(runDuration(r)),
    },
    {
      id: 'updated',
      label: 'Updated',
      sortable: true,
      render: (r) => formatCount(updatedCount(r)),
    },
  ];

  return (
    <>
      <PageHeader
        title="Runs"
        description="Every run of every runbook: from this console, from deploys (system:cli) and from schedules. Newest first; a column header sorts all runs by it."
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
            onOptionSelect={(_, d) => list.setFilter('runbook', d.optionValue ?? ALL)}
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
            onOptionSelect={(_, d) => list.setFilter('status', d.optionValue ?? ALL)}
          >
            <Option value={ALL}>All statuses</Option>
            {(Object.keys(RUN_STATUS_BADGES) as RunStatus[]).map((st) => (
              <Option key={st} value={st}>
                {RUN_STATUS_BADGES[st].label}
              </Option>
            ))}
          </Dropdown>
        </Field>
        <Field label="Actor">
          <SearchBox
            value={actorTyped}
            onChange={(_, d) => setActorTyped(d.value)}
            placeholder="e-mail or system:cli"
          />
        </Field>
        {filtered && (
          <Button icon={<DismissRegular />} appearance="subtle" onClick={list.clearFilters}>
            Clear filters
          </Button>
        )}
      </search>
      {runs.isPending && <LoadingState label="Loading runs…" />}
      {runs.isError && <ErrorState error={runs.error} onRetry={() => runs.refetch()} />}
      {runs.data && items.length === 0 && (
        <EmptyRunsState filtered={filtered} paged={Boolean(after || before)} list={list} />
      )}
      {items.length > 0 && (
        <SortableTable
          label="Runs"
          items={items}
          columns={columns}
          rowKey={(r) => r.id}
          onRowClick={(r) => navigate(paths.run(r.id))}
          sort={sort ? { column: sort, direction } : { column: 'id', direction: 'desc' }}
          onSortChange={(column, dir) => list.setSort(column as RunSort, dir)}
        />
      )}
      {runs.data && (items.length > 0 || runs.data.prevCursor) && (
        <div className={s.footer}>
          <Text size={200} className={s.muted}>
            {filtered ? 'Runs matching the filters' : 'All runs'}, {PAGE_SIZE} a page
          </Text>
          <ListPager
            label="Pages of runs"
            prevCursor={runs.data.prevCursor}
            nextCursor={runs.data.nextCursor}
            onPrevious={list.pageBefore}
            onNext={list.pageAfter}
          />
        </div>
      )}
    </>
  );
}

/** No rows: none recorded yet, none matching the filters, or a page past the end (an old link). */
function EmptyRunsState({
  filtered,
  paged,
  list,
}: {
  filtered: boolean;
  paged: boolean;
  list: ReturnType<typeof useListUrlState<'runbook' | 'status' | 'actor', RunSort>>;
}) {
  if (filtered)
    return (
      <EmptyState icon={<PlayCircleRegular />} title="No run matches the filters">
        Change or clear the filters to see other runs.{' '}
        <Button appearance="primary" icon={<DismissRegular />} onClick={list.clearFilters}>
          Clear filters
        </Button>
      </EmptyState>
    );
  if (paged)
    return (
      <EmptyState icon={<PlayCircleRegular />} title="No runs on this page">
        <Button onClick={list.firstPage}>Go to the first page</Button>
      </EmptyState>
    );
  return (
    <EmptyState icon={<PlayCircleRegular />} title="No runs yet">
      Start one from the <RouterLink to={paths.runbooks}>runbooks</RouterLink>, or with{' '}
      <code>ops-daemon exec</code>.
    </EmptyState>
  );
}
