import fs from 'node:fs';
import path from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
};

export interface RendererFile {
  file: string;
  contentType: string;
  /** index.html, served for every client-side route (the SPA routes itself). */
  isDocument: boolean;
}

/**
 * Maps an app:// path to a file of the built renderer (out/renderer), like the daemon does for the
 * web build: /system/assets/* and other files as they are, index.html for every other /system
 * path. Null for paths outside /system, and for anything that would escape the folder.
 */
export function resolveRendererFile(rendererDir: string, pathname: string): RendererFile | null {
  if (pathname !== '/system' && !pathname.startsWith('/system/')) return null;
  const root = path.resolve(rendererDir);
  const relative = decodeURIComponent(pathname.replace(/^\/system\/?/, ''));
  const candidate = path.resolve(root, relative);
  if (candidate !== root && !candidate.startsWith(`${root}${path.sep}`)) return null;
  if (relative !== '' && fs.existsSync(candidate) && fs.statSync(candidate).isFile()) {
    const ext = path.extname(candidate);
    return {
      file: candidate,
      contentType: TYPES[ext] ?? 'application/octet-stream',
      isDocument: ext === '.html',
    };
  }
  // A missing asset is a 404, not the app: only extension-less paths are client-side routes.
  if (relative.startsWith('assets/') || path.extname(relative) !== '') return null;
  return { file: path.join(root, 'index.html'), contentType: TYPES['.html']!, isDocument: true };
}
