import { MessageBar, MessageBarBody, MessageBarTitle } from '@fluentui/react-components';
import { ErrorState } from '../components/states.tsx';
import { formatCount, plural } from '../format/numbers.ts';
import { PreflightPending } from './PreflightPending.tsx';
import { estimateWas } from './PreflightStats.tsx';
import type { PreflightState } from './use-preflight.ts';

/** What the operator is about to do, in one place: scope, count, and that customer data changes. */
export function PreflightConfirmation({
  scopeText,
  preflight,
  showError,
  confirmable = false,
}: {
  scopeText: string;
  preflight: PreflightState;
  /** The run may start on the estimate shown while the exact count runs: warn on its figure. */
  confirmable?: boolean;
  /** False when the error is shown on the field it names (a parameter). */
  showError: boolean;
}) {
  const { status, error, estimate } = preflight;
  if (status.state === 'idle') return null;
  if (status.state === 'loading') {
    const pending = <PreflightPending estimate={estimate} scopeText={scopeText} />;
    if (!confirmable || !estimate) return pending;
    const about = estimate.exact
      ? plural(estimate.affected_count, 'record')
      : `about ${formatCount(estimate.affected_count)} ± ${formatCount(estimate.margin)} records (estimate)`;
    return (
      <>
        {pending}
        <MessageBar
          intent="warning"
          layout="multiline"
          data-testid="run-confirmation"
          data-confirms="estimate"
        >
          <MessageBarBody>
            <MessageBarTitle>This run modifies customer data</MessageBarTitle>
            It will change {about} on {scopeText}. You may start now: before writing, the run counts exactly
            and stops without changing anything if the count is outside this margin. The run is locked,
            audited and can be paused or cancelled, but changes already written stay.
          </MessageBarBody>
        </MessageBar>
      </>
    );
  }
  if (status.state === 'error') return showError ? <ErrorState error={error} /> : null;
  if (status.affected === 0) {
    const scanned = (preflight.result as Record<string, unknown> | null)?.total_scanned;
    return (
      <MessageBar intent="info" data-testid="nothing-to-do">
        <MessageBarBody>
          <MessageBarTitle>Nothing to do</MessageBarTitle>
          Preflight found no records to change on {scopeText}
          {typeof scanned === 'number' ? ` (${plural(scanned, 'record')} scanned)` : ''}, so there is nothing
          to run.
        </MessageBarBody>
      </MessageBar>
    );
  }
  const notReversible = (preflight.result as Record<string, unknown> | null)?.not_reversible;
  return (
    <>
      <MessageBar intent="warning" layout="multiline" data-testid="run-confirmation" data-confirms="exact">
        <MessageBarBody>
          <MessageBarTitle>This run modifies customer data</MessageBarTitle>
          It will change {plural(status.affected, 'record')} on {scopeText}, according to the preflight just
          now (an exact count
          {preflight.estimateBefore
            ? `; ${estimateWas(preflight.estimateBefore).toLowerCase()} before it`
            : ''}
          ). The run is locked, audited and can be paused or cancelled, but changes already written stay.
        </MessageBarBody>
      </MessageBar>
      {typeof notReversible === 'string' ? (
        <MessageBar intent="warning" layout="multiline" data-testid="not-reversible">
          <MessageBarBody>
            <MessageBarTitle>Not reversible here</MessageBarTitle>
            This runbook is reversible, but its run here could not be reverted: {notReversible}
          </MessageBarBody>
        </MessageBar>
      ) : null}
    </>
  );
}
