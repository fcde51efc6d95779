import { MessageBar, MessageBarBody, MessageBarTitle } from '@fluentui/react-components';
import { useQuery } from '@tanstack/react-query';
import { useTRPC } from '../api/trpc.ts';
import { DateTime } from '../components/DateTime.tsx';
import { formatCount, plural } from '../format/numbers.ts';

/** A decimal seq as the page writes it: #1,234. */
const seqLabel = (seq: string) => `#${formatCount(Number(seq))}`;

/**
 * How far the audit trail's hash chain is verified (docs/audit-chain.md). Each look verifies a
 * bounded slice on the server, so the banner may say that newer events are still to be checked.
 */
export function ChainStatus() {
  const trpc = useTRPC();
  const chain = useQuery(trpc.audit.chain.queryOptions(undefined, { refetchInterval: 30_000 }));
  if (!chain.data) return null;
  const c = chain.data;
  if (c.state === 'broken' && c.broken) {
    return (
      <MessageBar intent="error" layout="multiline" data-testid="audit-chain-status">
        <MessageBarBody>
          <MessageBarTitle>Chain broken at {seqLabel(c.broken.seq)}</MessageBarTitle>
          {c.broken.id ? `Event id ${c.broken.id}: ` : ''}
          {c.broken.reason}
          <br />
          Events may have been changed or removed outside the daemon. <code>ops-daemon audit verify</code>{' '}
          checks the whole chain again.
        </MessageBarBody>
      </MessageBar>
    );
  }
  const pending = Number(c.pending);
  return (
    <MessageBar intent="success" layout="multiline" data-testid="audit-chain-status">
      <MessageBarBody>
        <MessageBarTitle>
          {c.verifiedThrough === '0'
            ? 'Chain verified: no events yet'
            : `Chain verified through ${seqLabel(c.verifiedThrough)}`}
        </MessageBarTitle>
        {pending > 0
          ? `${plural(pending, 'newer event')} will be checked on the next look. `
          : 'Every event matches its hash and follows the one before it. '}
        {c.checkedAt && (
          <>
            Checked <DateTime iso={c.checkedAt} />.
          </>
        )}
      </MessageBarBody>
    </MessageBar>
  );
}
