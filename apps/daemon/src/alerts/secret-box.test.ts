import { describe, expect, it } from 'vitest';
import { deriveSecretKey, isSealed, SecretBox, SecretUnreadableError, sealedKeyId } from './secret-box.ts';

const OLD = 'old-key-material-old-key-material-0001';
const NEW = 'new-key-material-new-key-material-0002';
const WEBHOOK = 'https://contoso.webhook.office.com/webhookb2/team/IncomingWebhook/abc/secret-xyz';

describe('alert secret box', () => {
  it('seals into a value that names its key and holds no plain text, and opens it again', () => {
    const box = new SecretBox(deriveSecretKey(OLD));
    const sealed = box.seal(WEBHOOK);
    expect(sealed).toMatch(/^ops-sealed\.v1\.[0-9a-f]{8}\.[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(sealed).not.toContain('secret-xyz');
    expect(sealed).not.toContain('contoso');
    expect(isSealed(sealed)).toBe(true);
    expect(sealedKeyId(sealed)).toBe(box.current.id);
    expect(box.open(sealed)).toBe(WEBHOOK);
    // A fresh IV each time: the same secret never seals to the same value.
    expect(box.seal(WEBHOOK)).not.toBe(sealed);
  });

  it('derives the same key from the same material and another from other material', () => {
    expect(deriveSecretKey(OLD)).toEqual(deriveSecretKey(OLD));
    expect(deriveSecretKey(NEW).id).not.toBe(deriveSecretKey(OLD).id);
  });

  it('says which key sealed a value another key cannot open', () => {
    const sealed = new SecretBox(deriveSecretKey(OLD)).seal(WEBHOOK);
    const other = new SecretBox(deriveSecretKey(NEW));
    const error = (() => {
      try {
        other.open(sealed);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(SecretUnreadableError);
    expect((error as Error).message).toBe(
      `the stored secret was sealed with key ${deriveSecretKey(OLD).id}, and this daemon's key is ${other.current.id}: ` +
        'start it with the key that sealed it (OPS_ALERT_SECRET_KEY or OPS_SECRET), or re-seal with ops-daemon secrets rotate',
    );
  });

  it('refuses a value that was changed, relabelled with another key id, or cut short', () => {
    const box = new SecretBox(deriveSecretKey(OLD));
    const sealed = box.seal(WEBHOOK);
    const [prefix, v, keyId, iv, ct, tag] = sealed.split('.');
    const flipped = Buffer.from(ct!, 'base64url');
    flipped[0]! ^= 1;
    const tampered = [prefix, v, keyId, iv, flipped.toString('base64url'), tag].join('.');
    expect(() => box.open(tampered)).toThrow(/was changed or damaged/);
    const shortTag = [prefix, v, keyId, iv, ct, tag!.slice(0, 6)].join('.');
    expect(() => box.open(shortTag)).toThrow(/was changed or damaged/);
    const other = new SecretBox(deriveSecretKey(NEW));
    const relabelled = [prefix, v, other.current.id, iv, ct, tag].join('.');
    expect(() => other.open(relabelled)).toThrow(/was changed or damaged/);
    expect(() => box.open('ops-sealed.v1.abc')).toThrow(/damaged/);
    expect(() => box.open(WEBHOOK)).toThrow(SecretUnreadableError);
  });
});
