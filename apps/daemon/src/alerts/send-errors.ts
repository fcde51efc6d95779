// What an operator reads when a destination could not be reached: in their words, naming the
// destination and what went wrong, never the remote server's reply (a body or an SMTP response
// could carry anything, and it ends up in the audit log and on delivery attempts).

/** A send that failed; the message is ready to show. */
export class AlertSendError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AlertSendError';
  }
}

/** Node's network error codes, in words; `server` names the peer ("the webhook's server"). */
export function networkErrorWords(code: string | undefined, server: string): string {
  switch (code) {
    case 'ECONNREFUSED':
      return `${server} refused the connection (nothing listens on that port)`;
    case 'ECONNRESET':
    case 'EPIPE':
      return `${server} closed the connection without answering`;
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'EADDRNOTAVAIL':
      return `${server} cannot be reached from this daemon (${code})`;
    case 'ETIMEDOUT':
      return `${server} did not answer in time`;
    default:
      if (code && /^(ERR_TLS|ERR_SSL|CERT_|DEPTH_ZERO|SELF_SIGNED|UNABLE_TO|EPROTO)/.test(code)) {
        return `the TLS connection to ${server} failed (${code})`;
      }
      return `${server} could not be reached${code ? ` (${code})` : ''}`;
  }
}

/** The error text kept on a delivery attempt and in the audit log. */
export function describeSendError(error: unknown): string {
  if (error instanceof AlertSendError) return error.message;
  // Anything else is a fault of ours, not the destination's: its code only, never its text.
  const code = (error as { code?: unknown } | null)?.code;
  return `the alert could not be sent (${typeof code === 'string' ? code : 'unexpected error'})`;
}
