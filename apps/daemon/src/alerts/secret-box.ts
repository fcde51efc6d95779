import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { sessionSecret } from '../secret.ts';

// Alert secrets (webhook URLs, SMTP URLs with passwords) are sealed with AES-256-GCM before they
// reach the database, so a database dump or a read-only database user does not hand out the
// credentials. A sealed value names the key that sealed it, so a daemon with another key says
// so instead of sending garbage, and `ops-daemon secrets rotate` knows which rows to re-seal.
//
//   ops-sealed.v1.<key id>.<iv>.<ciphertext>.<tag>      (base64url parts)
//
// The key is derived (HKDF-SHA256) from OPS_ALERT_SECRET_KEY, or else from OPS_SECRET / the
// secret kept in the data folder: one value of enough entropy becomes a key of the right size,
// and the key id (derived separately) tells keys apart without revealing them.

export const SEALED_PREFIX = 'ops-sealed.v1.';

export interface SecretKey {
  /** 8 hex characters naming the key; stored with every value it seals. */
  id: string;
  key: Buffer;
}

/** The key for `material` (at least 32 characters of secret). */
export function deriveSecretKey(material: string): SecretKey {
  const ikm = Buffer.from(material, 'utf8');
  const salt = Buffer.from('ops-runbooks alert destination secrets');
  const key = Buffer.from(hkdfSync('sha256', ikm, salt, 'aes-256-gcm key v1', 32));
  const id = Buffer.from(hkdfSync('sha256', ikm, salt, 'key id v1', 4)).toString('hex');
  return { id, key };
}

/**
 * This process's key: from OPS_ALERT_SECRET_KEY, else from OPS_SECRET, else from the secret
 * generated in the data folder on first start. Daemons and commands sharing a database must
 * share it (set one of the variables when they do not share a data folder).
 */
export function configuredSecretKey(config: {
  alertSecretKey: string | undefined;
  secret: string | undefined;
  dataDir: string;
}): SecretKey {
  return deriveSecretKey(config.alertSecretKey ?? sessionSecret(config.secret, config.dataDir));
}

/** A stored value this box cannot open: sealed with another key, or damaged. */
export class SecretUnreadableError extends Error {
  constructor(
    message: string,
    /** The key id the value names, when it names one. */
    readonly keyId: string | null,
  ) {
    super(message);
    this.name = 'SecretUnreadableError';
  }
}

export function isSealed(value: string): boolean {
  return value.startsWith(SEALED_PREFIX);
}

/** The key id a sealed value names, or null for a value that is not sealed. */
export function sealedKeyId(value: string): string | null {
  return isSealed(value) ? (value.slice(SEALED_PREFIX.length).split('.')[0] ?? null) : null;
}

/** Seals and opens with one key. */
export class SecretBox {
  constructor(readonly current: SecretKey) {}

  seal(plain: string): string {
    const iv = randomBytes(12);
    const header = `${SEALED_PREFIX}${this.current.id}`;
    const cipher = createCipheriv('aes-256-gcm', this.current.key, iv);
    // The header is authenticated too: a value cannot be relabelled with another key id.
    cipher.setAAD(Buffer.from(header));
    const ciphertext = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    const parts = [iv, ciphertext, cipher.getAuthTag()].map((b) => b.toString('base64url'));
    return `${header}.${parts.join('.')}`;
  }

  /** Throws SecretUnreadableError for a value of another key, a damaged one, or one never sealed. */
  open(sealed: string): string {
    if (!isSealed(sealed)) throw new SecretUnreadableError('the stored secret is not sealed', null);
    const [keyId, iv, ciphertext, tag, ...rest] = sealed.slice(SEALED_PREFIX.length).split('.');
    if (!keyId || iv === undefined || ciphertext === undefined || !tag || rest.length) {
      throw new SecretUnreadableError('the stored secret is damaged (not a sealed value)', null);
    }
    if (keyId !== this.current.id) {
      throw new SecretUnreadableError(
        `the stored secret was sealed with key ${keyId}, and this daemon's key is ${this.current.id}: ` +
          'start it with the key that sealed it (OPS_ALERT_SECRET_KEY or OPS_SECRET), ' +
          'or re-seal with ops-daemon secrets rotate',
        keyId,
      );
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.current.key, Buffer.from(iv, 'base64url'), {
        authTagLength: 16,
      });
      decipher.setAAD(Buffer.from(`${SEALED_PREFIX}${keyId}`));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([
        decipher.update(Buffer.from(ciphertext, 'base64url')),
        decipher.final(),
      ]).toString('utf8');
    } catch {
      throw new SecretUnreadableError(
        `the stored secret does not open with key ${keyId}: it was changed or damaged`,
        keyId,
      );
    }
  }
}
