import fs from 'node:fs';
import path from 'node:path';

/** The part of Electron's safeStorage the vault uses (a fake in tests). */
export interface SafeStorageLike {
  isEncryptionAvailable(): boolean;
  encryptString(plain: string): Buffer;
  decryptString(encrypted: Buffer): string;
}

/**
 * The daemon session token of the desktop app. It lives in the main process only (the renderer never
 * sees it) and is written to disk only encrypted by the OS keychain through safeStorage. Where no
 * keychain is available the token is kept in memory: the operator signs in again next start, rather
 * than the token sitting on disk in clear text.
 */
export class TokenVault {
  private token: string | null = null;
  private loaded = false;

  constructor(
    private readonly file: string,
    private readonly safeStorage: SafeStorageLike,
    private readonly log: (message: string) => void = () => {},
  ) {}

  get(): string | null {
    if (!this.loaded) {
      this.loaded = true;
      this.token = this.load();
    }
    return this.token;
  }

  set(token: string): void {
    this.token = token;
    this.loaded = true;
    if (!this.safeStorage.isEncryptionAvailable()) {
      this.log('no OS keychain available: the session is kept for this run of the app only');
      this.removeFile();
      return;
    }
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    fs.writeFileSync(this.file, this.safeStorage.encryptString(token), { mode: 0o600 });
  }

  clear(): void {
    this.token = null;
    this.loaded = true;
    this.removeFile();
  }

  private load(): string | null {
    if (!fs.existsSync(this.file) || !this.safeStorage.isEncryptionAvailable()) return null;
    try {
      return this.safeStorage.decryptString(fs.readFileSync(this.file)) || null;
    } catch (error) {
      // A token from another machine or keychain cannot be read: forget it, sign in again.
      this.log(`stored session could not be decrypted (${(error as Error).message}); signing in again`);
      this.removeFile();
      return null;
    }
  }

  private removeFile(): void {
    fs.rmSync(this.file, { force: true });
  }
}
