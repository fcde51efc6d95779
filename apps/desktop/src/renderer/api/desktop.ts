import type { DesktopBridge } from '../../shared/ipc.ts';

declare global {
  interface Window {
    /** Present only inside the desktop app (exposed by its preload). */
    opsDesktop?: DesktopBridge;
  }
}

/** The desktop app's bridge, or null in a browser. */
export function desktopBridge(): DesktopBridge | null {
  return typeof window !== 'undefined' && window.opsDesktop ? window.opsDesktop : null;
}
