import { describe, expect, it } from 'vitest';
import { consoleWindowOptions } from './window-options.ts';

describe('consoleWindowOptions', () => {
  const prefs = consoleWindowOptions('/app/out/preload/index.cjs', false).webPreferences!;

  it('isolates the renderer: context isolation, the sandbox, and no Node anywhere', () => {
    expect(prefs.contextIsolation).toBe(true);
    expect(prefs.sandbox).toBe(true);
    expect(prefs.nodeIntegration).toBe(false);
    expect(prefs.nodeIntegrationInWorker).toBe(false);
    expect(prefs.nodeIntegrationInSubFrames).toBe(false);
  });

  it('keeps web security on and refuses webviews, mixed content and drag-and-drop navigation', () => {
    expect(prefs.webSecurity).toBe(true);
    expect(prefs.allowRunningInsecureContent).toBe(false);
    expect(prefs.webviewTag).toBe(false);
    expect(prefs.navigateOnDragDrop).toBe(false);
  });

  it('loads the given preload and shows the window only when it is ready', () => {
    expect(prefs.preload).toBe('/app/out/preload/index.cjs');
    expect(consoleWindowOptions('/p', false).show).toBe(false);
  });

  it('paints the background of the OS theme before the console renders', () => {
    expect(consoleWindowOptions('/p', true).backgroundColor).toBe('#1f1f1f');
    expect(consoleWindowOptions('/p', false).backgroundColor).toBe('#fafafa');
  });
});
