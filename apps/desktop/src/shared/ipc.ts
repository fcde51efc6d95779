/**
 * The one list of IPC channels between the desktop app's main process and its preload. Both sides
 * import these names, so a channel cannot be renamed on one side only.
 */
export const IPC_CHANNELS = {
  getConnection: 'ops-desktop:get-connection',
  setDaemonUrl: 'ops-desktop:set-daemon-url',
  forgetDaemon: 'ops-desktop:forget-daemon',
} as const;

export type IpcChannel = (typeof IPC_CHANNELS)[keyof typeof IPC_CHANNELS];

/** The daemon the desktop app talks to, as the renderer sees it. */
export interface DesktopConnection {
  /** The daemon's origin, or null before the operator has chosen one (first start). */
  daemonUrl: string | null;
  defaultDaemonUrl: string;
}

export type SetDaemonUrlResult = { ok: true; daemonUrl: string } | { ok: false; message: string };

/**
 * What the preload exposes to the renderer as `window.opsDesktop`: deliberately small. The session
 * token never crosses this bridge; the main process adds it to API requests itself.
 */
export interface DesktopBridge {
  readonly platform: string;
  getConnection(): Promise<DesktopConnection>;
  /** Checks the address (and that a daemon answers there), then remembers it. */
  setDaemonUrl(url: string): Promise<SetDaemonUrlResult>;
  /** Forgets the daemon and the stored session (to connect to another daemon). */
  forgetDaemon(): Promise<void>;
}

export const DEFAULT_DAEMON_URL = 'http://127.0.0.1:7400';
