import type { BrowserWindowConstructorOptions } from 'electron';

/**
 * The console window. The renderer gets no Node: context isolation, the Chromium sandbox and a
 * preload that exposes one small object (see ../preload/index.ts). Everything that can load or run
 * something the console did not ship is off.
 */
export function consoleWindowOptions(preloadPath: string, dark: boolean): BrowserWindowConstructorOptions {
  return {
    width: 1360,
    height: 900,
    minWidth: 960,
    minHeight: 640,
    show: false, // shown on ready-to-show, so no white flash
    title: 'Ops Runbooks',
    backgroundColor: dark ? '#1f1f1f' : '#fafafa',
    autoHideMenuBar: true,
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      safeDialogs: true,
      spellcheck: false,
    },
  };
}
