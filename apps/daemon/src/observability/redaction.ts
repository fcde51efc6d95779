/**
 * What a log line must never carry. Two nets: keys that hold secrets are censored by pino (`redact`),
 * and every written line is scrubbed of the configured secret values and of credentials inside URLs
 * (a driver's error text may quote a connection or webhook URL).
 */
export const CENSOR = '[Redacted]';

export const REDACTED_KEYS = [
  'password',
  'token',
  'secret',
  'authorization',
  'cookie',
  'smtpUrl',
  'webhookUrl',
  'url',
  '*.password',
  '*.token',
  '*.secret',
  '*.authorization',
  '*.cookie',
  '*.smtpUrl',
  '*.webhookUrl',
  '*.url',
  'headers.authorization',
  'headers.cookie',
];

/** Query parameters that carry credentials in webhook URLs (Teams' `sig`, tokens, keys). */
const CREDENTIAL_PARAMS =
  /([?&](?:sig|signature|token|access_token|key|apikey|api_key|secret|password|code)=)[^&\s"]+/gi;
/** `scheme://user:password@host` */
const URL_USERINFO = /(\b[a-z][a-z0-9+.-]*:\/\/[^:/\s@"]*:)[^@\s"/]+@/gi;

export interface SecretValues {
  /** Configured secrets (OPS_SECRET, keys, tokens, whole webhook URLs); short ones are ignored. */
  values: readonly string[];
}

/** The secret values of a configuration, with the parts of URLs that identify a credential. */
export function secretValuesOf(config: {
  secret?: string | undefined;
  alertSecretKey?: string | undefined;
  smtpUrl?: string | undefined;
  teamsWebhookUrl?: string | undefined;
  metricsToken?: string | undefined;
}): string[] {
  const values: string[] = [];
  for (const v of [config.secret, config.alertSecretKey, config.metricsToken]) if (v) values.push(v);
  if (config.smtpUrl) {
    const password = safeUrl(config.smtpUrl)?.password;
    if (password) values.push(password, decodeURIComponent(password));
  }
  if (config.teamsWebhookUrl) {
    values.push(config.teamsWebhookUrl);
    const url = safeUrl(config.teamsWebhookUrl);
    // The path and query of a webhook URL are its credential: the host alone is not.
    if (url && url.pathname.length > 1) values.push(url.pathname + url.search);
  }
  return [...new Set(values)].filter((v) => v.length >= 6).sort((a, b) => b.length - a.length);
}

function safeUrl(text: string): URL | undefined {
  try {
    return new URL(text);
  } catch {
    return undefined;
  }
}

/** A line with every secret value and URL credential replaced by the censor. */
export function scrub(line: string, values: readonly string[]): string {
  let out = line;
  for (const value of values) {
    if (out.includes(value)) out = out.split(value).join(CENSOR);
    // JSON escapes a few characters; the escaped spelling must go too.
    const escaped = JSON.stringify(value).slice(1, -1);
    if (escaped !== value && out.includes(escaped)) out = out.split(escaped).join(CENSOR);
  }
  return out.replace(URL_USERINFO, `$1${CENSOR}@`).replace(CREDENTIAL_PARAMS, `$1${CENSOR}`);
}
