import nodemailer from 'nodemailer';
import type { Destination, DestinationKind } from './destination-store.ts';
import { type AlertMessage, renderEmail, renderTeamsCard } from './messages.ts';

/** Sends one message to one destination; throws with a readable message when it is refused. */
export type Send = (destination: Destination, message: AlertMessage) => Promise<void>;

export interface SenderOptions {
  /** OPS_SMTP_URL: the server for e-mail destinations without one of their own. */
  smtpUrl: string | undefined;
  /** One attempt never takes longer than this; a hanging peer is a failed attempt, not a stuck worker. */
  timeoutMs: number;
}

/** The error text kept on the delivery: the peer's answer, or why there was none (e.g. ECONNREFUSED). */
export function describeSendError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause as { code?: string; message?: string } | undefined;
  const detail = cause?.code ?? cause?.message;
  return detail && !error.message.includes(detail) ? `${error.message} (${detail})` : error.message;
}

/** The From address: the SMTP user when it is an address, else ops-runbooks at the server's domain. */
function fromAddress(smtpUrl: string): string {
  const url = new URL(smtpUrl);
  const user = decodeURIComponent(url.username);
  return `"Ops Runbooks" <${user.includes('@') ? user : `ops-runbooks@${url.hostname}`}>`;
}

export function emailSender(options: SenderOptions): Send {
  return async (destination, message) => {
    const smtpUrl = destination.secret ?? options.smtpUrl;
    if (!smtpUrl) throw new Error('no SMTP server: set OPS_SMTP_URL or give this destination an SMTP URL');
    const transport = nodemailer.createTransport({
      url: smtpUrl,
      connectionTimeout: options.timeoutMs,
      greetingTimeout: options.timeoutMs,
      socketTimeout: options.timeoutMs,
    });
    try {
      const { subject, text, html } = renderEmail(message);
      await transport.sendMail({
        from: fromAddress(smtpUrl),
        to: destination.recipients,
        subject,
        text,
        html,
      });
    } finally {
      transport.close();
    }
  };
}

export function teamsSender(options: SenderOptions): Send {
  return async (destination, message) => {
    if (!destination.secret) throw new Error('this Teams destination has no webhook URL');
    const res = await fetch(destination.secret, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(renderTeamsCard(message)),
      signal: AbortSignal.timeout(options.timeoutMs),
    });
    if (!res.ok) {
      const body = (await res.text().catch(() => '')).slice(0, 200);
      throw new Error(`the webhook answered ${res.status}${body ? `: ${body}` : ''}`);
    }
  };
}

/** One sender per destination kind. */
export function createSenders(options: SenderOptions): Record<DestinationKind, Send> {
  return { email: emailSender(options), teams: teamsSender(options) };
}
