/** The daemon address the operator typed, checked: an origin the app may talk to, or why not. */
export type DaemonUrlCheck = { ok: true; url: string } | { ok: false; message: string };

const EXAMPLE = 'for example http://127.0.0.1:7400';

function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127(\.\d{1,3}){3}$/.test(hostname);
}

/**
 * Accepts "127.0.0.1:7400", "http://127.0.0.1:7400/", "https://ops.example.com/system" and returns
 * the origin. Refuses other schemes, credentials in the address, other paths, and plain http to
 * another machine: the session token travels with every request and must not cross a network in
 * clear text.
 */
export function parseDaemonUrl(input: string): DaemonUrlCheck {
  const trimmed = input.trim();
  if (trimmed === '') return { ok: false, message: `Enter the daemon's address, ${EXAMPLE}.` };
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `http://${trimmed}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    return { ok: false, message: `“${trimmed}” is not an address. Enter one ${EXAMPLE}.` };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return { ok: false, message: `Use an http:// or https:// address (${url.protocol} is not supported).` };
  }
  if (url.username || url.password) {
    return {
      ok: false,
      message: 'Leave the user name and password out of the address: you sign in on the next screen.',
    };
  }
  if (url.search || url.hash || !/^\/(system\/?)?$/.test(url.pathname)) {
    return { ok: false, message: `Enter only the daemon's address, without a path, ${EXAMPLE}.` };
  }
  if (url.protocol === 'http:' && !isLoopback(url.hostname)) {
    return {
      ok: false,
      message:
        'Use https:// for a daemon on another machine: the session must not cross the network unencrypted.',
    };
  }
  return { ok: true, url: url.origin };
}
