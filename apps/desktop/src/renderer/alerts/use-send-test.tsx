import { Toast, ToastBody, ToastTitle, useToastController } from '@fluentui/react-components';
import { useMutation } from '@tanstack/react-query';
import { describeApiError } from '../api/api-error.ts';
import { useTRPC } from '../api/trpc.ts';
import type { AlertDestination } from '../api/types.ts';
import { TOASTER_ID } from '../app/Providers.tsx';

/**
 * "Send test": one message to the destination now. The answer (accepted, or the destination's
 * refusal in its own words) comes back as a toast; nothing is retried or recorded as a delivery.
 */
export function useSendTest(): { send: (d: AlertDestination) => void; sendingId: string | null } {
  const trpc = useTRPC();
  const { dispatchToast } = useToastController(TOASTER_ID);
  const mutation = useMutation(trpc.alerts.test.mutationOptions());
  const send = (destination: AlertDestination) =>
    mutation.mutate(
      { id: destination.id },
      {
        onSuccess: (answer) =>
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
          ),
        onError: (error) => {
          const described = describeApiError(error);
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
  return { send, sendingId: mutation.isPending ? (mutation.variables?.id ?? null) : null };
}
