/**
 * The desktop console's Content-Security-Policy, the daemon's (apps/daemon/src/http/responses.ts)
 * adapted to app://: scripts only from the app, API calls only to the app's own origin (the main
 * process forwards /system/api to the daemon), inline styles for Fluent UI's run-time CSS.
 */
export const DESKTOP_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'self'",
].join('; ');
