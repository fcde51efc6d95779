import { APP_ORIGIN, originOf } from './navigation-policy.ts';

/**
 * IPC from anything but the console's own top-level page is ignored: a frame or a page that got
 * into the window some other way cannot change the daemon address or the session.
 */
export function isTrustedSender(frameUrl: string | undefined, devServerOrigin: string | null): boolean {
  if (!frameUrl) return false;
  try {
    const origin = originOf(new URL(frameUrl));
    return origin === APP_ORIGIN || (devServerOrigin !== null && origin === devServerOrigin);
  } catch {
    return false;
  }
}
