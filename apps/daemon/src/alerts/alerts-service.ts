import type { AuditAction, AuditLog } from '../audit/index.ts';
import { BusyError, InputError } from '../errors.ts';
import type { Actor } from '../runs/index.ts';
import type { DeliveryRecord, DeliveryStore } from './delivery-store.ts';
import { maskSmtpUrl, maskWebhookUrl } from './destination-rules.ts';
import type {
  Destination,
  DestinationKind,
  DestinationPatch,
  DestinationStore,
} from './destination-store.ts';
import { testMessage } from './messages.ts';
import { SEND_TEST_LIMIT, SlidingWindowLimiter } from './send-test-limit.ts';
import { describeSendError, type Send } from './senders.ts';

/** A destination as the API shows it: secrets masked. */
export interface DestinationView {
  id: string;
  kind: DestinationKind;
  name: string;
  enabled: boolean;
  notifyOnSuccess: boolean;
  recipients: string[];
  /** E-mail: its own SMTP server, masked; null when it uses OPS_SMTP_URL. */
  smtpUrl: string | null;
  /** Teams: the webhook URL, masked. */
  webhookUrl: string | null;
  /** `environment`: made from OPS_ALERT_EMAILS / OPS_TEAMS_WEBHOOK_URL, which own its address. */
  source: 'environment' | 'console';
  createdAt: string;
  updatedAt: string;
}

export type NewDestinationInput =
  | {
      kind: 'email';
      name: string;
      recipients: string[];
      smtpUrl?: string;
      enabled: boolean;
      notifyOnSuccess: boolean;
    }
  | { kind: 'teams'; name: string; webhookUrl: string; enabled: boolean; notifyOnSuccess: boolean };

export interface DestinationUpdate {
  id: string;
  name?: string;
  enabled?: boolean;
  notifyOnSuccess?: boolean;
  recipients?: string[];
  /** A new SMTP URL, or null to go back to OPS_SMTP_URL. Omitted: unchanged. */
  smtpUrl?: string | null;
  /** A new webhook URL. Omitted: unchanged (the stored one is never sent back to be re-sent). */
  webhookUrl?: string;
}

export interface Caller {
  actor: Extract<Actor, { kind: 'user' }>;
  ip: string | null;
}

export interface AlertsServiceDeps {
  destinations: DestinationStore;
  deliveries: DeliveryStore;
  senders: Record<DestinationKind, Send>;
  audit: AuditLog;
  publicUrl: string;
  /** OPS_SMTP_URL is set: e-mail destinations may go without a server of their own. */
  smtpConfigured: boolean;
}

/** Shown instead of a masked secret this daemon cannot open (sealed with another key). */
export const UNREADABLE_SECRET = '(unreadable: sealed with another key)';

function maskedSecret(
  d: Destination,
  kind: DestinationKind,
  mask: (secret: string) => string,
): string | null {
  if (d.kind !== kind) return null;
  if (d.secretProblem) return UNREADABLE_SECRET;
  return d.secret ? mask(d.secret) : null;
}

export function toView(d: Destination): DestinationView {
  return {
    id: d.id,
    kind: d.kind,
    name: d.name,
    enabled: d.enabled,
    notifyOnSuccess: d.notifyOnSuccess,
    recipients: d.recipients,
    smtpUrl: maskedSecret(d, 'email', maskSmtpUrl),
    webhookUrl: maskedSecret(d, 'teams', maskWebhookUrl),
    source: d.envKey ? 'environment' : 'console',
    createdAt: d.createdAt,
    updatedAt: d.updatedAt,
  };
}

/** Alert destinations as the console edits them. Every change is audited, secrets never in full. */
export class AlertsService {
  private readonly testLimiter = new SlidingWindowLimiter(SEND_TEST_LIMIT);

  constructor(private readonly deps: AlertsServiceDeps) {}

  async list(): Promise<DestinationView[]> {
    return (await this.deps.destinations.list()).map(toView);
  }

  /** Throws InputError naming `smtpUrl` when no SMTP server would carry the e-mail. */
  async create(input: NewDestinationInput, by: Caller): Promise<DestinationView> {
    if (input.kind === 'email' && !input.smtpUrl && !this.deps.smtpConfigured) {
      throw new InputError(
        'smtpUrl',
        'no SMTP server is configured (OPS_SMTP_URL): give this destination one',
      );
    }
    const created = await this.deps.destinations.create({
      kind: input.kind,
      name: input.name,
      recipients: input.kind === 'email' ? input.recipients : [],
      secret: input.kind === 'email' ? (input.smtpUrl ?? null) : input.webhookUrl,
      enabled: input.enabled,
      notifyOnSuccess: input.notifyOnSuccess,
      createdBy: by.actor.id,
    });
    const view = toView(created);
    await this.audited('alert.destination_created', by, view);
    return view;
  }

  /**
   * Changes the given fields. Throws NotFoundError, or InputError naming a field that does not
   * apply to the destination's kind or that its environment variable owns.
   */
  async update(input: DestinationUpdate, by: Caller): Promise<DestinationView> {
    const current = await this.deps.destinations.get(input.id);
    const patch: DestinationPatch = {};
    if (input.name !== undefined) patch.name = input.name;
    if (input.enabled !== undefined) patch.enabled = input.enabled;
    if (input.notifyOnSuccess !== undefined) patch.notifyOnSuccess = input.notifyOnSuccess;
    const addressFields = (['recipients', 'smtpUrl', 'webhookUrl'] as const).filter(
      (f) => input[f] !== undefined,
    );
    if (current.envKey && addressFields.length) {
      throw new InputError(
        addressFields[0]!,
        `this destination's address comes from ${current.envKey}; change the variable`,
      );
    }
    if (current.kind === 'email') {
      if (input.webhookUrl !== undefined)
        throw new InputError('webhookUrl', 'an e-mail destination has no webhook URL');
      if (input.recipients !== undefined) patch.recipients = input.recipients;
      if (input.smtpUrl !== undefined) {
        if (input.smtpUrl === null && !this.deps.smtpConfigured) {
          throw new InputError('smtpUrl', 'no SMTP server is configured (OPS_SMTP_URL): keep this one');
        }
        patch.secret = input.smtpUrl;
      }
    } else {
      if (input.recipients !== undefined)
        throw new InputError('recipients', 'a Teams destination has no recipients');
      if (input.smtpUrl !== undefined)
        throw new InputError('smtpUrl', 'a Teams destination has no SMTP server');
      if (input.webhookUrl !== undefined) patch.secret = input.webhookUrl;
    }
    const view = toView(await this.deps.destinations.update(input.id, patch));
    await this.audited('alert.destination_updated', by, view, {
      changed: Object.keys(input).filter((k) => k !== 'id'),
    });
    return view;
  }

  /** Throws NotFoundError, or InputError when its environment variable would bring it back. */
  async delete(id: string, by: Caller): Promise<{ deleted: true }> {
    const current = await this.deps.destinations.get(id);
    if (current.envKey) {
      throw new InputError(
        'id',
        `this destination comes from ${current.envKey}: disable it, or unset the variable`,
      );
    }
    await this.deps.destinations.delete(id);
    await this.audited('alert.destination_deleted', by, toView(current));
    return { deleted: true };
  }

  /**
   * "Send test": one attempt now, the answer returned (not retried, not a delivery record).
   * Throws NotFoundError, or BusyError past SEND_TEST_LIMIT tests of one destination by one
   * operator (a refused test connects to nothing and is not audited).
   */
  async test(id: string, by: Caller): Promise<{ ok: boolean; error: string | null }> {
    const destination = await this.deps.destinations.get(id);
    const waitMs = this.testLimiter.take(`${destination.id}:${by.actor.id}`);
    if (waitMs > 0) {
      const { max, windowMs } = SEND_TEST_LIMIT;
      throw new BusyError(
        `Send test is limited to ${max} tests of a destination per ${windowMs / 1000} s; try again in ${Math.ceil(waitMs / 1000)} s`,
      );
    }
    let error: string | null = null;
    try {
      await this.deps.senders[destination.kind](
        destination,
        testMessage(destination.name, this.deps.publicUrl),
      );
    } catch (e) {
      error = describeSendError(e);
    }
    await this.audited('alert.test_sent', by, toView(destination), { ok: error === null, error });
    return { ok: error === null, error };
  }

  deliveriesForRun(runId: string): Promise<DeliveryRecord[]> {
    return this.deps.deliveries.listForRun(runId);
  }

  private async audited(
    action: AuditAction,
    by: Caller,
    view: DestinationView,
    extra: Record<string, unknown> = {},
  ): Promise<void> {
    await this.deps.audit.record({
      action,
      actorLabel: by.actor.email,
      actor: by.actor,
      ip: by.ip,
      details: { destination: view, ...extra },
    });
  }
}
