import { z } from 'zod';

// What a destination may hold, written once: the API's input schemas and the environment's
// (OPS_ALERT_EMAILS, OPS_TEAMS_WEBHOOK_URL, OPS_SMTP_URL) are built from these.

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

function isLoopback(hostname: string): boolean {
  return LOOPBACK_HOSTS.has(hostname) || /^127\.\d+\.\d+\.\d+$/.test(hostname);
}

function parseUrl(value: string): URL | null {
  try {
    return new URL(value);
  } catch {
    return null;
  }
}

/** Why a webhook URL is refused, or null. Plain http is only for a receiver on this machine. */
export function webhookUrlProblem(value: string): string | null {
  const url = parseUrl(value);
  if (!url) return 'must be a URL like https://example.webhook.office.com/…';
  if (url.protocol === 'https:') return null;
  if (url.protocol === 'http:' && isLoopback(url.hostname)) return null;
  return 'must be an https:// URL (plain http:// only for localhost)';
}

/** Why an SMTP URL is refused, or null. */
export function smtpUrlProblem(value: string): string | null {
  const url = parseUrl(value);
  if (!url || (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') || !url.hostname) {
    return 'must be an smtp:// or smtps:// URL like smtps://user:password@mail.example.com:465';
  }
  return null;
}

const refineWith = (problem: (value: string) => string | null) => (value: string, ctx: z.RefinementCtx) => {
  const message = problem(value);
  if (message) ctx.addIssue({ code: 'custom', message });
};

export const emailAddressSchema = z.email('must be an e-mail address like ops@example.com').max(254);
export const webhookUrlSchema = z.string().max(2000).superRefine(refineWith(webhookUrlProblem));
export const smtpUrlSchema = z.string().max(2000).superRefine(refineWith(smtpUrlProblem));
export const destinationNameSchema = z.string().trim().min(1, 'must not be empty').max(100);
export const recipientsSchema = z
  .array(emailAddressSchema)
  .min(1, 'give at least one recipient')
  .max(50, 'at most 50 recipients');

/**
 * Secrets are shown only enough to recognise them: the webhook's host and last characters, the
 * SMTP URL without its password and options.
 */
export function maskWebhookUrl(value: string): string {
  const url = parseUrl(value);
  const tail = value.slice(-4);
  return url ? `${url.protocol}//${url.host}/…${tail}` : `…${tail}`;
}

export function maskSmtpUrl(value: string): string {
  const url = parseUrl(value);
  if (!url) return '…';
  const user = url.username ? `${decodeURIComponent(url.username)}:****@` : '';
  return `${url.protocol}//${user}${url.host}`;
}
