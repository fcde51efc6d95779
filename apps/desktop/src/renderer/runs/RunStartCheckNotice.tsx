import { MessageBar, MessageBarBody, MessageBarTitle, Spinner, Text } from '@fluentui/react-components';
import type { RunRecord } from '../api/types.ts';
import { formatCount } from '../format/numbers.ts';

interface Confirmed {
  affected_count: number;
  margin: number;
  estimate: boolean;
}

interface StartCheck {
  state: 'counting' | 'passed' | 'refused';
  found?: number;
}

/** What the operator confirmed, in their words: "1,234" or "about 1,200 ± 40 (estimate)". */
function confirmedText(c: Confirmed): string {
  return c.estimate
    ? `about ${formatCount(c.affected_count)} ± ${formatCount(c.margin)} (estimate)`
    : formatCount(c.affected_count);
}

/**
 * A console run's own exact count before its first write (the daemon's start-check.ts): while it
 * counts, that it does and against what; when the data had changed beyond what the operator
 * confirmed, that the run wrote nothing, and why. Nothing for runs without the check (exec,
 * schedules) or once it passed (the summary then shows the exact count).
 */
export function RunStartCheckNotice({ run }: { run: Pick<RunRecord, 'context' | 'status'> }) {
  const confirmed = run.context.confirmed as Confirmed | undefined;
  const check = run.context.start_check as StartCheck | undefined;
  if (!confirmed || !check) return null;
  if (check.state === 'counting' && run.status !== 'completed') {
    return (
      <MessageBar intent="info" layout="multiline" data-testid="run-start-check">
        <MessageBarBody>
          <MessageBarTitle>Counting before writing</MessageBarTitle>
          <Text>
            You confirmed {confirmedText(confirmed)} records to change. The run counts them exactly, holding
            its locks, before it writes anything; it stops without writing if the data changed beyond that.
          </Text>{' '}
          <Spinner size="extra-tiny" as="span" aria-hidden />
        </MessageBarBody>
      </MessageBar>
    );
  }
  if (check.state !== 'refused') return null;
  return (
    <MessageBar intent="error" layout="multiline" data-testid="run-refused">
      <MessageBarBody>
        <MessageBarTitle>Nothing written: the data changed</MessageBarTitle>
        <Text>
          You confirmed {confirmedText(confirmed)} records to change; the run counted{' '}
          {formatCount(check.found ?? 0)} before writing, so it stopped without changing anything. Run the
          preflight again and start a new run if the new count is right.
        </Text>
      </MessageBarBody>
    </MessageBar>
  );
}
