import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { type SafeStorageLike, TokenVault } from './token-vault.ts';

/** A stand-in for Electron's safeStorage: reversible, but never the plain text on disk. */
function fakeSafeStorage(available = true): SafeStorageLike {
  return {
    isEncryptionAvailable: () => available,
    encryptString: (plain) => Buffer.from(Buffer.from(plain, 'utf8').map((b) => b ^ 0x5a)),
    decryptString: (encrypted) => {
      if (encrypted[0] === 0) throw new Error('wrong key');
      return Buffer.from(encrypted.map((b) => b ^ 0x5a)).toString('utf8');
    },
  };
}

describe('TokenVault', () => {
  const dir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'ops-desktop-vault-'));

  it('keeps the session across restarts, encrypted on disk', () => {
    const file = path.join(dir(), 'session.bin');
    new TokenVault(file, fakeSafeStorage()).set('secret-token-123');
    expect(fs.readFileSync(file).toString('utf8')).not.toContain('secret-token-123');
    expect(new TokenVault(file, fakeSafeStorage()).get()).toBe('secret-token-123');
  });

  it('forgets the session on clear (sign-out, another daemon)', () => {
    const file = path.join(dir(), 'session.bin');
    const vault = new TokenVault(file, fakeSafeStorage());
    vault.set('t');
    vault.clear();
    expect(vault.get()).toBeNull();
    expect(fs.existsSync(file)).toBe(false);
  });

  it('never writes the token in clear text when no OS keychain is available', () => {
    const file = path.join(dir(), 'session.bin');
    const logs: string[] = [];
    const vault = new TokenVault(file, fakeSafeStorage(false), (m) => logs.push(m));
    vault.set('secret');
    expect(vault.get()).toBe('secret'); // for this run of the app
    expect(fs.existsSync(file)).toBe(false);
    expect(logs.join()).toMatch(/no OS keychain/);
  });

  it('drops a stored session it cannot decrypt, so the operator signs in again', () => {
    const file = path.join(dir(), 'session.bin');
    fs.writeFileSync(file, Buffer.from([0, 1, 2]));
    expect(new TokenVault(file, fakeSafeStorage()).get()).toBeNull();
    expect(fs.existsSync(file)).toBe(false);
  });
});
