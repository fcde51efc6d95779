import {
  Badge,
  Button,
  Caption1,
  Card,
  CardFooter,
  CardHeader,
  makeStyles,
  Text,
  tokens,
} from '@fluentui/react-components';
import { BeakerRegular, PlayRegular } from '@fluentui/react-icons';
import { useEffect, useRef, useState } from 'react';
import { canRunRunbook } from '../api/capabilities.ts';
import type { Runbook } from '../api/types.ts';
import { useMe } from '../app/me-context.ts';
import { paths } from '../app/paths.ts';
import { RouterLink } from '../components/RouterLink.tsx';
import { ErrorState } from '../components/states.tsx';
import { formatDateTime, formatRelative } from '../format/time.ts';
import { RunStateBadges } from '../status/RunBadges.tsx';
import { ChangeSampleTable } from './ChangeSampleTable.tsx';
import { describeCsvColumns } from './csv-file.ts';
import { ParameterFields } from './ParameterFields.tsx';
import { PreflightPending } from './PreflightPending.tsx';
import { PreflightStats } from './PreflightStats.tsx';
import {
  apiParameterProblems,
  initialParameterValues,
  type ParameterValues,
  parameterProblems,
  toParamsPayload,
} from './parameter-values.ts';
import { RunDialog } from './RunDialog.tsx';
import { usePreflight } from './use-preflight.ts';

const useStyles = makeStyles({
  card: { padding: '20px', gap: '14px' },
  title: { fontSize: tokens.fontSizeBase500, lineHeight: tokens.lineHeightBase500, margin: 0 },
  description: { color: tokens.colorNeutralForeground2, maxWidth: '900px' },
  row: { display: 'flex', alignItems: 'center', gap: '8px', flexWrap: 'wrap' },
  label: { color: tokens.colorNeutralForeground2, minWidth: '72px' },
  nothing: { color: tokens.colorNeutralForeground2 },
});

export const SCOPE_LABELS: Record<string, string> = { all: 'All tenants', tenant: 'Single tenant' };

/** The DOM id of a runbook card's heading, for aria-labelledby. */
export function runbookHeadingId(runbookId: string): string {
  return `runbook-${runbookId.replaceAll('.', '-')}`;
}

/**
 * One runbook: what it does, where it can run, how it last went, its parameters (when it has
 * any), and its two actions. The parameters chosen here are used by Preflight and carried into
 * the Run dialog.
 */
export function RunbookCard({ runbook }: { runbook: Runbook }) {
  const s = useStyles();
  const me = useMe();
  const preflight = usePreflight(runbook.id);
  const [dialogOpen, setDialogOpen] = useState(false);
  const [params, setParams] = useState<ParameterValues>(() => initialParameterValues(runbook.parameters));
  const [attempted, setAttempted] = useState(false);
  const canRun = canRunRunbook(me.capabilities, runbook.capability);
  const headingId = runbookHeadingId(runbook.id);
  const last = runbook.lastRun;
  const nothingToDo = preflight.status.state === 'ready' && preflight.status.affected === 0;
  // A run of this runbook started or ended: the count shown is from before it, so it goes.
  const lastRunState = last ? `${last.id}:${last.status}` : null;
  const shownFor = useRef(lastRunState);
  const resetPreflight = preflight.reset;
  useEffect(() => {
    if (shownFor.current === lastRunState) return;
    shownFor.current = lastRunState;
    resetPreflight();
  }, [lastRunState, resetPreflight]);
  const parameterApiProblems = apiParameterProblems(preflight.error);
  const problems = {
    ...parameterProblems(runbook.parameters, params, { includeMissing: attempted }),
    ...parameterApiProblems,
  };

  const startPreflight = () => {
    setAttempted(true);
    const blocking = parameterProblems(runbook.parameters, params, { includeMissing: true });
    if (Object.keys(blocking).length > 0) return;
    preflight.run({ kind: 'all' }, toParamsPayload(runbook.parameters, params));
  };
  const changeParams = (next: ParameterValues) => {
    setParams(next);
    // A count (or a complaint) about other parameters no longer applies.
    if (preflight.status.state !== 'idle') preflight.reset();
  };

  return (
    <Card className={s.card} aria-labelledby={headingId} data-runbook={runbook.id}>
      <CardHeader
        header={
          <h2 id={headingId} className={s.title}>
            <Text weight="semibold" size={500}>
              {runbook.title}
            </Text>
          </h2>
        }
        description={<Caption1>{runbook.id}</Caption1>}
      />
      <Text className={s.description}>{runbook.description}</Text>
      <div className={s.row}>
        <Text size={200} className={s.label}>
          Scopes
        </Text>
        {runbook.scopes.map((scope) => (
          <Badge key={scope} appearance="outline" color="informative">
            {SCOPE_LABELS[scope] ?? scope}
          </Badge>
        ))}
      </div>
      <div className={s.row}>
        <Text size={200} className={s.label}>
          Last run
        </Text>
        {last ? (
          <>
            <Text size={200} title={formatDateTime(last.finishedAt)}>
              {last.finishedAt ? formatRelative(last.finishedAt) : 'in progress'}
            </Text>
            <RunStateBadges status={last.status} outcome={last.outcome} />
            <RouterLink to={paths.run(last.id)}>View run #{last.id}</RouterLink>
          </>
        ) : (
          <Text size={200} className={s.nothing}>
            Never run
          </Text>
        )}
      </div>
      <ParameterFields
        parameters={runbook.parameters}
        values={params}
        problems={problems}
        onChange={changeParams}
      />
      {preflight.status.state === 'loading' && preflight.estimate && (
        <PreflightPending estimate={preflight.estimate} scopeText="all tenants" />
      )}
      {preflight.status.state === 'ready' && preflight.result && (
        <>
          <PreflightStats
            result={preflight.result}
            summaryKeys={runbook.summaryKeys}
            estimateBefore={preflight.estimateBefore}
          />
          {preflight.result.affected_count === 0 && (
            <Text className={s.nothing}>Nothing to do: every record on all tenants is already correct.</Text>
          )}
        </>
      )}
      {preflight.diff && (preflight.status.state === 'loading' || preflight.status.state === 'ready') && (
        <ChangeSampleTable sample={preflight.diff} scopeText="all tenants" />
      )}
      {preflight.status.state === 'error' && Object.keys(parameterApiProblems).length === 0 && (
        <ErrorState error={preflight.error} />
      )}
      {runbook.input && (
        <Text size={200} data-testid="runbook-input">
          Takes a CSV file ({describeCsvColumns(runbook.input)}): choose it in Run…, where it is checked and
          preflighted.
        </Text>
      )}
      <CardFooter>
        {!runbook.input && (
          <Button
            icon={<BeakerRegular />}
            onClick={startPreflight}
            disabled={preflight.status.state === 'loading'}
          >
            {preflight.status.state === 'loading' ? 'Running preflight…' : 'Preflight'}
          </Button>
        )}
        {canRun && (
          <Button
            appearance="primary"
            icon={<PlayRegular />}
            onClick={() => setDialogOpen(true)}
            disabled={nothingToDo}
            title={nothingToDo ? 'Nothing to do: the preflight found no records to change.' : undefined}
          >
            Run…
          </Button>
        )}
      </CardFooter>
      {canRun && dialogOpen && (
        <RunDialog runbook={runbook} initialParams={params} onClose={() => setDialogOpen(false)} />
      )}
    </Card>
  );
}
