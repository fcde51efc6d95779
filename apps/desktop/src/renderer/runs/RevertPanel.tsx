import {
  Button,
  Field,
  Input,
  MessageBar,
  MessageBarBody,
  makeStyles,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
  tokens,
} from '@fluentui/react-components';
import { ArrowUndoRegular } from '@fluentui/react-icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useLocation } from 'wouter';
import { CAPABILITIES } from '../api/capabilities.ts';
import { useTRPC } from '../api/trpc.ts';
import type { ReasonCode, RunRecord } from '../api/types.ts';
import { useCan } from '../app/me-context.ts';
import { paths } from '../app/paths.ts';
import { ConfirmDialog } from '../components/ConfirmDialog.tsx';
import { ReasonFields } from '../components/ReasonFields.tsx';
import { RouterLink } from '../components/RouterLink.tsx';
import { formatCount } from '../format/numbers.ts';

/** What an operator types to confirm a revert (the daemon checks it too). */
export const REVERT_PHRASE = 'REVERT';

const useStyles = makeStyles({
  stack: { display: 'flex', flexDirection: 'column', gap: '8px', alignItems: 'flex-start' },
  values: {
    fontFamily: tokens.fontFamilyMonospace,
    fontSize: tokens.fontSizeBase200,
    wordBreak: 'break-word',
  },
});

/** The fields of `current` that differ from what the run wrote, as `field: wrote → now`. */
function changedSince(wrote: Record<string, unknown>, current: Record<string, unknown> | null): string {
  if (!current) return 'the row is gone';
  const show = (v: unknown) => (v === null || v === undefined ? '∅' : String(v));
  const changed = Object.keys(wrote).filter((k) => JSON.stringify(wrote[k]) !== JSON.stringify(current[k]));
  return changed.map((k) => `${k}: ${show(wrote[k])} → ${show(current[k])}`).join('; ');
}

/**
 * The run page's Revert section: for a run of a reversible runbook, its journal and the Revert
 * button (behind a confirmation with a reason and the phrase REVERT), or why it cannot be reverted;
 * for a revert run, the run it reverted and the rows it skipped because they changed since.
 */
export function RevertPanel({ run }: { run: RunRecord }) {
  const s = useStyles();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [, navigate] = useLocation();
  const canRevert = useCan(CAPABILITIES.runbooksRevert);
  const infoOptions = trpc.runs.revertInfo.queryOptions(
    { id: run.id },
    {
      retry: false,
      // While a revert of this run is under way, look again each second: its page says when it ends.
      refetchInterval: (query) =>
        query.state.data?.revertedBy.some((r) => r.status !== 'completed') ? 1000 : false,
      refetchIntervalInBackground: true,
    },
  );
  const info = useQuery(infoOptions);
  const [asking, setAsking] = useState(false);
  const [code, setCode] = useState<ReasonCode | null>(null);
  const [text, setText] = useState('');
  const [phrase, setPhrase] = useState('');
  const revert = useMutation(
    trpc.runs.revert.mutationOptions({
      onSuccess: ({ runId }) => {
        setAsking(false);
        void queryClient.invalidateQueries({ queryKey: infoOptions.queryKey });
        navigate(paths.run(runId));
      },
    }),
  );
  // The run moved on (ended, or a revert of it did): read the revert state again.
  const { refetch } = info;
  const phase = `${run.status}:${run.outcome}`;
  useEffect(() => {
    if (phase) void refetch();
  }, [phase, refetch]);

  if (!info.data) return null;
  const i = info.data;
  if (i.revertsRunId) {
    const skipped = i.skipped ?? { rows: [], total: 0 };
    return (
      <div className={s.stack} data-testid="revert-panel">
        <Text>
          This run reverts <RouterLink to={paths.run(i.revertsRunId)}>run #{i.revertsRunId}</RouterLink>: each
          row the run changed gets its before-image back, unless it changed since.
        </Text>
        <Text weight="semibold" data-testid="revert-skipped-count">
          {skipped.total === 0
            ? 'No row was skipped.'
            : `${formatCount(skipped.total)} ${skipped.total === 1 ? 'row was' : 'rows were'} skipped because ${skipped.total === 1 ? 'it' : 'they'} changed since the run:`}
        </Text>
        {skipped.rows.length > 0 && (
          <Table size="small" aria-label="Rows skipped by the revert">
            <TableHeader>
              <TableRow>
                <TableHeaderCell>Table</TableHeaderCell>
                <TableHeaderCell>Row</TableHeaderCell>
                <TableHeaderCell>Changed since the run (the run wrote → now)</TableHeaderCell>
              </TableRow>
            </TableHeader>
            <TableBody>
              {skipped.rows.map((row) => (
                <TableRow key={`${row.table}:${row.key}`}>
                  <TableCell>{row.table}</TableCell>
                  <TableCell>{row.key}</TableCell>
                  <TableCell className={s.values}>{changedSince(row.wrote, row.current)}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        )}
        {skipped.total > skipped.rows.length && (
          <Text>{`… and ${formatCount(skipped.total - skipped.rows.length)} more (ops-daemon revert --json lists them).`}</Text>
        )}
      </div>
    );
  }
  const reverted = i.revertedBy[0];
  return (
    <div className={s.stack} data-testid="revert-panel">
      <Text>
        {i.journalDroppedAt
          ? `Its journal was dropped on ${i.journalDroppedAt.slice(0, 10)}.`
          : `Its journal keeps the before-image of ${formatCount(i.journalRows)} ${i.journalRows === 1 ? 'row' : 'rows'}.`}
      </Text>
      {reverted && (
        <Text>
          Reverted by <RouterLink to={paths.run(reverted.runId)}>run #{reverted.runId}</RouterLink> (
          {reverted.status === 'completed' ? reverted.outcome.replace('_', ' ') : reverted.status}).
        </Text>
      )}
      {i.revertible ? (
        canRevert && (
          <Button icon={<ArrowUndoRegular />} onClick={() => setAsking(true)}>
            Revert run
          </Button>
        )
      ) : (
        <MessageBar intent="info" data-testid="revert-unavailable">
          <MessageBarBody>{`Cannot be reverted: ${i.reason}`}</MessageBarBody>
        </MessageBar>
      )}
      {asking && (
        <ConfirmDialog
          open
          title={`Revert run #${run.id}?`}
          confirmLabel="Revert run"
          cancelLabel="Keep the changes"
          busy={revert.isPending}
          error={revert.error}
          onConfirm={() =>
            revert.mutate({
              id: run.id,
              reasonCode: code ?? undefined,
              reasonText: text,
              confirmation: phrase,
            })
          }
          onCancel={() => {
            revert.reset();
            setAsking(false);
          }}
        >
          <div className={s.stack}>
            <Text>
              {`A revert run restores the before-image of each of the ${formatCount(i.journalRows)} rows this run changed, under the same locks. A row that changed since the run is skipped and listed, not overwritten.`}
            </Text>
            <ReasonFields
              code={code}
              text={text}
              onCodeChange={setCode}
              onTextChange={setText}
              required
              purpose="Say why the run is undone; it is kept on the revert run and in the audit log."
            />
            <Field label={`Type ${REVERT_PHRASE} to confirm`} required>
              <Input value={phrase} onChange={(_, d) => setPhrase(d.value)} />
            </Field>
          </div>
        </ConfirmDialog>
      )}
    </div>
  );
}
