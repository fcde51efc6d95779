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
import { useState } from 'react';
import { canRunRunbook } from '../api/capabilities.ts';
import type { Runbook } from '../api/types.ts';
import { useMe } from '../app/me-context.ts';
import { paths } from '../app/paths.ts';
import { RouterLink } from '../components/RouterLink.tsx';
import { ErrorState } from '../components/states.tsx';
import { formatDateTime, formatRelative } from '../format/time.ts';
import { RunStateBadges } from '../status/RunBadges.tsx';
import { PreflightStats } from './PreflightStats.tsx';
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

const SCOPE_LABELS: Record<string, string> = { all: 'All tenants', tenant: 'Single tenant' };

/** One runbook: what it does, where it can run, how it last went, and its two actions. */
export function RunbookCard({ runbook }: { runbook: Runbook }) {
  const s = useStyles();
  const me = useMe();
  const preflight = usePreflight(runbook.id);
  const [dialogOpen, setDialogOpen] = useState(false);
  const canRun = canRunRunbook(me.capabilities, runbook.capability);
  const headingId = `runbook-${runbook.id.replaceAll('.', '-')}`;
  const last = runbook.lastRun;

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
      {preflight.status.state === 'ready' && preflight.result && (
        <>
          <PreflightStats result={preflight.result} />
          {preflight.result.affected_count === 0 && (
            <Text className={s.nothing}>Nothing to do: every record on all tenants is already correct.</Text>
          )}
        </>
      )}
      {preflight.status.state === 'error' && <ErrorState error={preflight.error} />}
      <CardFooter>
        <Button
          icon={<BeakerRegular />}
          onClick={() => preflight.run({ kind: 'all' })}
          disabled={preflight.status.state === 'loading'}
        >
          {preflight.status.state === 'loading' ? 'Running preflight…' : 'Preflight'}
        </Button>
        {canRun && (
          <Button appearance="primary" icon={<PlayRegular />} onClick={() => setDialogOpen(true)}>
            Run…
          </Button>
        )}
      </CardFooter>
      {canRun && <RunDialog runbook={runbook} open={dialogOpen} onClose={() => setDialogOpen(false)} />}
    </Card>
  );
}
