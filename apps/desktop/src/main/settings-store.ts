import fs from 'node:fs';
import path from 'node:path';
import { parseDaemonUrl } from './daemon-url.ts';

export interface DesktopSettings {
  daemonUrl: string | null;
}

/**
 * The desktop app's remembered settings, one JSON file in the user-data folder. A file that is
 * missing, unreadable or holds an address that no longer passes the checks counts as "not set",
 * so the app asks again instead of failing to start.
 */
export class SettingsStore {
  constructor(private readonly file: string) {}

  read(): DesktopSettings {
    try {
      const raw = JSON.parse(fs.readFileSync(this.file, 'utf8')) as { daemonUrl?: unknown };
      const checked = typeof raw.daemonUrl === 'string' ? parseDaemonUrl(raw.daemonUrl) : null;
      return { daemonUrl: checked?.ok ? checked.url : null };
    } catch {
      return { daemonUrl: null };
    }
  }

  /** Writes atomically (temp file, then rename), so a crash never leaves half a file. */
  write(settings: DesktopSettings): void {
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    const temp = `${this.file}.${process.pid}.tmp`;
    fs.writeFileSync(temp, `${JSON.stringify(settings, null, 2)}\n`, { mode: 0o600 });
    fs.renameSync(temp, this.file);
  }
}
