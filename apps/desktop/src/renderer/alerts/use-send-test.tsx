import { Toast, ToastBody, ToastTitle, useToastController } from '@fluentui/react-components';
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { describeApiError } from '../api/api-error.ts';
import { useTRPC } from '../api/trpc.ts';
import type { AlertDestination } from '../api/types.ts';
import { TOASTER_ID } from '../app/Providers.tsx';

/** The last Send test of a destination, kept beside it until the next one (or a reload). */
export interface SendTestResult {
  ok: boolean;
  /** The daemon's words: why the destination refused, or why the test could not be sent. */
  message: string | null;
  at: string;
}

/**
 * "Send test": one message to the destination now. The answer (accepted, or the refusal in the
 * daemon's operator words) is announced as a toast and stays next to the destination (`results`),
 * so it can be read after the toast has gone; nothing is retried or recorded as a delivery.
 */
export function useSendTest(): {
  send: (d: AlertDestination) => void;
  sendingId: string | null;
  results: Readonly<Record<string, SendTestResult>>;
} {
  const trpc = useTRPC();
  const { dispatchToast } = useToastController(TOASTER_ID);
  const mutation = useMutation(trpc.alerts.test.mutationOptions());
  const [results, setResults] = useState<Record<string, SendTestResult>>({});
  const keep = (id: string, result: Omit<SendTestResult, 'at'>) =>
    setResults((r) => ({ ...r, [id]: { ...result, at: new Date().toISOString() } }));
  const send = (destination: AlertDestination) =>
    mutation.mutate(
      { id: destination.id },
      {
        onSuccess: (answer) => {
          keep(destination.id, {
            ok: answer.ok,
            message: answer.ok ? null : (answer.error ?? 'No reason given.'),
          });
          dispatchToast(
            answer.ok ? (
              <Toast>
                <ToastTitle>{`Test message sent to “${destination.name}”`}</ToastTitle>
                <ToastBody>It accepted the message. Check that it arrived where you expect.</ToastBody>
              </Toast>
            ) : (
              <Toast>
                <ToastTitle>{`“${destination.name}” did not accept the test message`}</ToastTitle>
                <ToastBody>{answer.error ?? 'No reason given.'}</ToastBody>
              </Toast>
            ),
            { intent: answer.ok ? 'success' : 'error', timeout: answer.ok ? 5000 : 15_000 },
          );
        },
        onError: (error) => {
          const described = describeApiError(error);
          keep(destination.id, { ok: false, message: `${described.title}: ${described.detail}` });
          dispatchToast(
            <Toast>
              <ToastTitle>{described.title}</ToastTitle>
              <ToastBody>{described.detail}</ToastBody>
            </Toast>,
            { intent: 'error', timeout: 15_000 },
          );
        },
      },
    );
  return { send, sendingId: mutation.isPending ? (mutation.variables?.id ?? null) : null, results };
}
