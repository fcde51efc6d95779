import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  app,
  BrowserWindow,
  type IpcMainInvokeEvent,
  ipcMain,
  Notification,
  nativeTheme,
  net,
  protocol,
  safeStorage,
  session,
  shell,
} from 'electron';
import { IPC_CHANNELS } from '../shared/ipc.ts';
import { currentConnection, forgetDaemon, setDaemonUrl } from './connection.ts';
import { createConsoleProtocolHandler } from './console-protocol.ts';
import { FailureWatcher, fetchUnreadNotifications } from './failure-watcher.ts';
import { APP_ORIGIN, APP_SCHEME, decideNavigation } from './navigation-policy.ts';
import { SettingsStore } from './settings-store.ts';
import { TokenVault } from './token-vault.ts';
import { isTrustedSender } from './trusted-sender.ts';
import { consoleWindowOptions } from './window-options.ts';

// Wiring only: every rule lives in a plain module beside this one, with its unit tests.

const here = path.dirname(fileURLToPath(import.meta.url));
const RENDERER_DIR = path.join(here, '../renderer');
const PRELOAD = path.join(here, '../preload/index.cjs');
const DEV_SERVER = process.env.ELECTRON_RENDERER_URL ?? null;
const DEV_ORIGIN = DEV_SERVER ? new URL(DEV_SERVER).origin : null;

// Tests (and operators with several profiles) can point the app at its own settings folder.
if (process.env.OPS_DESKTOP_USER_DATA) app.setPath('userData', process.env.OPS_DESKTOP_USER_DATA);

protocol.registerSchemesAsPrivileged([
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true } },
]);

const log = (message: string) => process.stderr.write(`ops-desktop: ${message}\n`);
let settings: SettingsStore;
let tokens: TokenVault;
let mainWindow: BrowserWindow | null = null;

const daemonUrl = () => settings.read().daemonUrl;
const consoleUrl = (route = '/system/ops/runbooks') =>
  DEV_SERVER ? `${DEV_SERVER}${route}` : `${APP_ORIGIN}${route}`;

function trusted(event: IpcMainInvokeEvent): boolean {
  const ok =
    isTrustedSender(event.senderFrame?.url, DEV_ORIGIN) && event.senderFrame === event.sender.mainFrame;
  if (!ok) log(`ignored IPC from ${event.senderFrame?.url ?? 'an unknown frame'}`);
  return ok;
}

function registerIpc(): void {
  const deps = { settings, tokens, fetch: (url: string, init: RequestInit) => net.fetch(url, init) };
  ipcMain.handle(IPC_CHANNELS.getConnection, (e) => (trusted(e) ? currentConnection(deps) : null));
  ipcMain.handle(IPC_CHANNELS.setDaemonUrl, (e, url: unknown) =>
    trusted(e) ? setDaemonUrl(url, deps) : { ok: false, message: 'refused' },
  );
  ipcMain.handle(IPC_CHANNELS.forgetDaemon, (e) => {
    if (trusted(e)) forgetDaemon(deps);
  });
}

function lockDown(contents: Electron.WebContents): void {
  const context = () => ({ appOrigin: APP_ORIGIN, daemonOrigin: daemonUrl(), devServerOrigin: DEV_ORIGIN });
  const follow = (url: string, event?: { preventDefault(): void }) => {
    const decision = decideNavigation(url, context());
    if (decision.action === 'allow') return;
    event?.preventDefault();
    if (decision.action === 'open-external') void shell.openExternal(decision.url);
    if (decision.action === 'open-in-app') void contents.loadURL(consoleUrl(decision.path));
  };
  contents.on('will-navigate', (event, url) => follow(url, event));
  contents.on('will-redirect', (event, url) => follow(url, event));
  contents.setWindowOpenHandler(({ url }) => {
    follow(url);
    return { action: 'deny' };
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
}

function createWindow(): void {
  // Its navigation lock comes from 'web-contents-created', like every other web contents.
  mainWindow = new BrowserWindow(consoleWindowOptions(PRELOAD, nativeTheme.shouldUseDarkColors));
  mainWindow.once('ready-to-show', () => mainWindow?.show());
  mainWindow.on('closed', () => {
    mainWindow = null;
  });
  void mainWindow.loadURL(consoleUrl());
}

function watchFailures(): FailureWatcher {
  const watcher = new FailureWatcher({
    intervalMs: 30_000,
    fetchUnread: async () => {
      const url = daemonUrl();
      const token = tokens.get();
      return url && token ? fetchUnreadNotifications(url, token, (u, i) => net.fetch(String(u), i)) : null;
    },
    notify: (n) => {
      if (!Notification.isSupported()) return;
      const native = new Notification({ title: n.title, body: n.body || 'Open the run to see what failed.' });
      native.on('click', () => {
        if (!mainWindow) createWindow();
        mainWindow?.show();
        mainWindow?.focus();
        if (n.runId) void mainWindow?.loadURL(consoleUrl(`/system/ops/runs/${n.runId}`));
      });
      native.show();
    },
  });
  watcher.start();
  return watcher;
}

app.whenReady().then(() => {
  const userData = app.getPath('userData');
  settings = new SettingsStore(path.join(userData, 'settings.json'));
  tokens = new TokenVault(path.join(userData, 'session.bin'), safeStorage, log);
  const handler = createConsoleProtocolHandler(RENDERER_DIR, {
    daemonUrl,
    tokens,
    fetch: (url, init) => net.fetch(url, init as RequestInit),
  });
  protocol.handle(APP_SCHEME, handler);
  // The app needs no camera, microphone, location or notifications permission from its pages.
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  // The packaged app's pages carry DESKTOP_CSP (console-protocol.ts). The dev server is left without
  // it: its hot-reload preamble is an inline script, and it only ever runs on a developer's machine.
  app.on('web-contents-created', (_event, contents) => lockDown(contents));
  registerIpc();
  createWindow();
  const watcher = watchFailures();
  app.on('before-quit', () => watcher.stop());
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow();
  });
});

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});
