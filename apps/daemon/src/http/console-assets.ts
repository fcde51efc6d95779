import fs from 'node:fs';
import type { ServerResponse } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where the console's web build lands (apps/desktop, built for the browser). */
export const DEFAULT_CONSOLE_DIR = fileURLToPath(new URL('../../../desktop/out/web', import.meta.url));

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
  '.html': 'text/html; charset=utf-8',
};

const PLACEHOLDER = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Ops Runbooks</title></head>
<body><h1>Ops Runbooks</h1><p>The console has not been built. Run <code>npm run build:console</code>,
or use the API at <code>/system/api/trpc</code>.</p></body></html>`;

/** Serves the single-page console: its files, and index.html for every client-side route. */
export class ConsoleAssets {
  constructor(private readonly dir: string = DEFAULT_CONSOLE_DIR) {}

  /** Sends index.html (the SPA decides what to render for the route); 404 for an unknown page. */
  sendIndex(res: ServerResponse, status: 200 | 404 = 200): void {
    const index = path.join(this.dir, 'index.html');
    const html = fs.existsSync(index) ? fs.readFileSync(index) : PLACEHOLDER;
    res.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
    res.end(html);
  }

  /** Sends a file under /system/…; false when there is no such file (the caller answers 404). */
  sendAsset(pathname: string, res: ServerResponse): boolean {
    const relative = pathname.replace(/^\/system\//, '');
    const file = path.resolve(this.dir, relative);
    if (
      !file.startsWith(`${path.resolve(this.dir)}${path.sep}`) ||
      !fs.existsSync(file) ||
      !fs.statSync(file).isFile()
    ) {
      return false;
    }
    res.writeHead(200, {
      'Content-Type': TYPES[path.extname(file)] ?? 'application/octet-stream',
      // Built assets carry a content hash in their name, so they may be cached for good.
      'Cache-Control': relative.startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
    });
    fs.createReadStream(file).pipe(res);
    return true;
  }
}
