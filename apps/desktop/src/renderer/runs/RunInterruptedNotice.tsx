import { MessageBar, MessageBarBody, MessageBarTitle, Text } from '@fluentui/react-components';
import type { RunRecord } from '../api/types.ts';
import { DateTime } from '../components/DateTime.tsx';
import { interruptionOf } from './run-figures.ts';

/**
 * A run whose process stopped before it finished (the reaper ended it from `context.interrupted`):
 * why, how far it had got, and what to do now. Nothing for any other run.
 */
export function RunInterruptedNotice({ run }: { run: Pick<RunRecord, 'context'> }) {
  const interruption = interruptionOf(run);
  if (!interruption) return null;
  return (
    <MessageBar intent="error" layout="multiline" data-testid="run-interrupted">
      <MessageBarBody>
        <MessageBarTitle>Interrupted</MessageBarTitle>
        <Text>{sentence(interruption.message)}</Text>{' '}
        <Text>
          Last checkpoint:{' '}
          {interruption.checkpoint
            ? `every record up to id ${interruption.checkpoint} is done`
            : 'none (it stopped before its first chunk)'}
          {interruption.lastHeartbeatAt && (
            <>
              ; last sign of life <DateTime iso={interruption.lastHeartbeatAt} />
            </>
          )}
          . What was written before stays; start the runbook again to finish the work.
        </Text>
      </MessageBarBody>
    </MessageBar>
  );
}

function sentence(text: string): string {
  const t = text.trim();
  return `${t.charAt(0).toUpperCase()}${t.slice(1)}${/[.!?]$/.test(t) ? '' : '.'}`;
}
