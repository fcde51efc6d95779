import type {
  AlertDestination,
  DestinationCreateInput,
  DestinationKind,
  DestinationUpdateInput,
} from '../api/types.ts';

/**
 * What the operator has entered in the destination dialog. Secrets are never shown in full once
 * saved, so on an edit the SMTP and webhook boxes start empty and an empty box keeps what is stored.
 */
export interface DestinationForm {
  kind: DestinationKind;
  name: string;
  /** As typed: addresses separated by commas, semicolons, spaces or new lines. */
  recipients: string;
  /** A new SMTP URL for this destination; empty: keep the stored one (or, when new, use OPS_SMTP_URL). */
  smtpUrl: string;
  /** Edit only: forget this destination's own SMTP server and use OPS_SMTP_URL again. */
  useDaemonSmtp: boolean;
  /** A new webhook URL; empty on an edit: keep the stored one. */
  webhookUrl: string;
  enabled: boolean;
  notifyOnSuccess: boolean;
}

export function newDestinationForm(kind: DestinationKind): DestinationForm {
  return {
    kind,
    name: '',
    recipients: '',
    smtpUrl: '',
    useDaemonSmtp: false,
    webhookUrl: '',
    enabled: true,
    notifyOnSuccess: false,
  };
}

export function destinationFormFrom(d: AlertDestination): DestinationForm {
  return {
    ...newDestinationForm(d.kind),
    name: d.name,
    recipients: d.recipients.join(', '),
    enabled: d.enabled,
    notifyOnSuccess: d.notifyOnSuccess,
  };
}

export function parseRecipients(text: string): string[] {
  return text.split(/[\s,;]+/).filter(Boolean);
}

/** The first thing still missing, in words, beside the disabled Save button; null when complete. */
export function destinationBlocker(form: DestinationForm, original: AlertDestination | null): string | null {
  if (!form.name.trim()) return 'Give the destination a name.';
  const ownsAddress = original === null || original.source === 'console';
  if (!ownsAddress) return null;
  if (form.kind === 'email' && parseRecipients(form.recipients).length === 0)
    return 'Add at least one recipient.';
  if (form.kind === 'teams' && original === null && !form.webhookUrl.trim())
    return 'Paste the webhook URL from the Teams channel’s Incoming Webhook connector.';
  return null;
}

export function toCreateInput(form: DestinationForm): DestinationCreateInput {
  const flags = { name: form.name.trim(), enabled: form.enabled, notifyOnSuccess: form.notifyOnSuccess };
  if (form.kind === 'teams') return { kind: 'teams', ...flags, webhookUrl: form.webhookUrl.trim() };
  const smtpUrl = form.smtpUrl.trim();
  return {
    kind: 'email',
    ...flags,
    recipients: parseRecipients(form.recipients),
    ...(smtpUrl ? { smtpUrl } : {}),
  };
}

/**
 * The changes to send. Address fields only for destinations made in the console (the environment
 * owns the others'), and secrets only when a new one was typed.
 */
export function toUpdateInput(form: DestinationForm, original: AlertDestination): DestinationUpdateInput {
  const update: DestinationUpdateInput = {
    id: original.id,
    name: form.name.trim(),
    enabled: form.enabled,
    notifyOnSuccess: form.notifyOnSuccess,
  };
  if (original.source !== 'console') return update;
  if (form.kind === 'teams') {
    const webhookUrl = form.webhookUrl.trim();
    return webhookUrl ? { ...update, webhookUrl } : update;
  }
  const smtpUrl = form.smtpUrl.trim();
  return {
    ...update,
    recipients: parseRecipients(form.recipients),
    ...(form.useDaemonSmtp ? { smtpUrl: null } : smtpUrl ? { smtpUrl } : {}),
  };
}
