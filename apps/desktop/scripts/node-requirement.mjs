// Which Node a desktop command needs. Electron 41's download tooling (@electron/get 5) requires
// Node 22.12 or newer; the daemon, the console in a browser and the tests run on Node 20.19+.
export const ELECTRON_FETCH_MIN_NODE = '22.12.0';

/** Whether `version` (e.g. "20.20.0" or "v22.12.1") is at least `minimum`. */
export function nodeAtLeast(version, minimum) {
  const parse = (v) =>
    String(v)
      .replace(/^v/, '')
      .split('.')
      .map((n) => Number.parseInt(n, 10) || 0);
  const [a, b] = [parse(version), parse(minimum)];
  for (let i = 0; i < 3; i++) {
    if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) > (b[i] ?? 0);
  }
  return true;
}

/** The message `npm run desktop` prints instead of a stack trace when this Node cannot fetch Electron. */
export function electronFetchRefusal(version) {
  return [
    `npm run desktop needs Node ${ELECTRON_FETCH_MIN_NODE} or newer the first time, to download Electron 41 (this is Node ${String(version).replace(/^v/, '')}).`,
    'Install Node 22.12+ (for example `nvm install 22`) and run `npm run desktop` again.',
    'Everything else works on this Node: `npm start` serves the same console at http://127.0.0.1:7400/system.',
  ].join('\n');
}
