import { defineConfig } from 'vite';
import { consoleRendererConfig } from './renderer.vite.ts';

// The browser build: `ops-daemon serve` serves out/web at /system (apps/daemon/src/http/console-assets.ts).
export default defineConfig(consoleRendererConfig(new URL('./out/web', import.meta.url).pathname));
