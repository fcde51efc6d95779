import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import nodemailer from 'nodemailer';
import type { AddressPolicy } from './address-policy.ts';
import type { Destination, DestinationKind } from './destination-store.ts';
import { type AlertMessage, renderEmail, renderTeamsCard } from './messages.ts';
import { AlertSendError, networkErrorWords } from './send-errors.ts';

export { AlertSendError, describeSendError } from './send-errors.ts';

/** Sends one message to one destination; throws AlertSendError in operator words when refused. */
export type Send = (destination: Destination, message: AlertMessage) => Promise<void>;

export interface SenderOptions {
  /** OPS_SMTP_URL: the server for e-mail destinations without one of their own. */
  smtpUrl: string | undefined;
  /** One attempt never takes longer than this; a hanging peer is a failed attempt, not a stuck worker. */
  timeoutMs: number;
  /** Which addresses a destination may connect to (OPS_ALERT_ALLOW_PRIVATE_HOSTS). */
  addresses: AddressPolicy;
}

const WEBHOOK = 'the webhook';
const MAIL_SERVER = 'the mail server';

/** The secret of a destination, or AlertSendError saying why it cannot be read. */
function secretOf(destination: Destination): string | null {
  if (destination.secretProblem) throw new AlertSendError(destination.secretProblem);
  return destination.secret;
}

/** Rejects with AlertSendError once `ms` have passed (name resolution has no timeout of its own). */
async function withDeadline<T>(
  work: (signal: AbortSignal) => Promise<T>,
  ms: number,
  what: string,
): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new AlertSendError(`${what} did not answer within ${Math.round(ms / 1000)} s`));
    }, ms);
  });
  try {
    return await Promise.race([work(controller.signal), deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** The From address: the SMTP user when it is an address, else ops-runbooks at the server's domain. */
function fromAddress(smtpUrl: URL): string {
  const user = decodeURIComponent(smtpUrl.username);
  return `"Ops Runbooks" <${user.includes('@') ? user : `ops-runbooks@${smtpUrl.hostname}`}>`;
}

/** nodemailer's error, in words: its code and the SMTP status, never the server's text. */
function smtpErrorWords(error: unknown): string {
  const e = error as { code?: string; responseCode?: number; originalCode?: string };
  const status = e.responseCode ? ` (SMTP ${e.responseCode})` : '';
  switch (e.code) {
    case 'EAUTH':
    case 'ENOAUTH':
      return `${MAIL_SERVER} refused the sign-in${status}`;
    case 'EENVELOPE':
      return `${MAIL_SERVER} refused the sender or a recipient${status}`;
    case 'EMESSAGE':
      return `${MAIL_SERVER} refused the message${status}`;
    case 'ETLS':
    case 'EREQUIRETLS':
      return `the TLS connection to ${MAIL_SERVER} failed`;
    case 'EPROTOCOL':
      return `${MAIL_SERVER} did not answer in SMTP`;
    case 'ECONNECTION':
      return `${MAIL_SERVER} closed the connection without answering in SMTP`;
    case 'ETIMEDOUT':
      return `${MAIL_SERVER} did not answer in time`;
    default:
      // ESOCKET: a network error, whose own code nodemailer keeps as originalCode.
      return networkErrorWords(e.originalCode ?? e.code, MAIL_SERVER);
  }
}

export function emailSender(options: SenderOptions): Send {
  return async (destination, message) => {
    const smtpUrl = secretOf(destination) ?? options.smtpUrl;
    if (!smtpUrl)
      throw new AlertSendError('no SMTP server: set OPS_SMTP_URL or give this destination an SMTP URL');
    const url = new URL(smtpUrl);
    await withDeadline(
      async () => {
        const { address } = await options.addresses.resolve(url.hostname, MAIL_SERVER);
        // Connect to the address just checked, not to the name (which could resolve elsewhere
        // the second time); TLS still verifies the certificate against the name.
        const checked = new URL(smtpUrl);
        checked.hostname = net.isIPv6(address) ? `[${address}]` : address;
        const hostname = url.hostname.replace(/^\[(.*)\]$/, '$1');
        const transport = nodemailer.createTransport({
          url: checked.toString(),
          ...(net.isIP(hostname) ? {} : { servername: hostname }),
          connectionTimeout: options.timeoutMs,
          greetingTimeout: options.timeoutMs,
          socketTimeout: options.timeoutMs,
        });
        try {
          const { subject, text, html } = renderEmail(message);
          await transport.sendMail({
            from: fromAddress(url),
            to: destination.recipients,
            subject,
            text,
            html,
          });
        } catch (error) {
          throw new AlertSendError(smtpErrorWords(error));
        } finally {
          transport.close();
        }
      },
      options.timeoutMs,
      MAIL_SERVER,
    );
  };
}

/**
 * POSTs `body` to `url` on the checked `address` and returns the status. The reply's body is never
 * read: it is not shown, stored nor followed.
 */
function post(url: URL, address: { address: string; family: 4 | 6 }, body: string, signal: AbortSignal) {
  const secure = url.protocol === 'https:';
  const hostname = url.hostname.replace(/^\[(.*)\]$/, '$1');
  return new Promise<number>((resolve, reject) => {
    const request = (secure ? https : http).request({
      host: address.address,
      family: address.family,
      port: url.port || (secure ? 443 : 80),
      path: `${url.pathname}${url.search}`,
      method: 'POST',
      headers: {
        host: url.host,
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
      },
      // TLS checks the certificate against the URL's name, though the connection goes to the address.
      ...(secure && !net.isIP(hostname) ? { servername: hostname } : {}),
      agent: false,
      signal,
    });
    request.once('response', (res) => {
      resolve(res.statusCode ?? 0);
      res.destroy();
    });
    // `on`, not `once`: a request can emit more than one error, and an unheard one ends the process.
    request.on('error', (error: NodeJS.ErrnoException) => {
      if (signal.aborted) return; // the deadline reports it
      const words = /^HPE_/.test(error.code ?? '')
        ? `${WEBHOOK}'s server did not answer in HTTP`
        : networkErrorWords(error.code, `${WEBHOOK}'s server`);
      reject(new AlertSendError(words));
    });
    request.end(body);
  });
}

export function teamsSender(options: SenderOptions): Send {
  return async (destination, message) => {
    const secret = secretOf(destination);
    if (!secret) throw new AlertSendError('this Teams destination has no webhook URL');
    const url = new URL(secret);
    const status = await withDeadline(
      async (signal) => {
        const address = await options.addresses.resolve(url.hostname, WEBHOOK);
        return post(url, address, JSON.stringify(renderTeamsCard(message)), signal);
      },
      options.timeoutMs,
      WEBHOOK,
    );
    if (status >= 200 && status < 300) return;
    if (status >= 300 && status < 400) {
      // A redirect could lead anywhere, the daemon's own network included: refused, not followed.
      throw new AlertSendError(
        `${WEBHOOK} answered with a redirect (HTTP ${status}), which alert destinations may not follow; give the final URL`,
      );
    }
    throw new AlertSendError(`${WEBHOOK} answered HTTP ${status}`);
  };
}

/** One sender per destination kind. */
export function createSenders(options: SenderOptions): Record<DestinationKind, Send> {
  return { email: emailSender(options), teams: teamsSender(options) };
}
