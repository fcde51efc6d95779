import { defineConfig } from 'electron-vite';
import { consoleRendererConfig } from './renderer.vite.ts';

const out = (dir: string) => new URL(`./out/${dir}`, import.meta.url).pathname;
// `electron-vite dev` serves the renderer from a dev server; its API calls go to this daemon.
const devDaemon = process.env.OPS_DAEMON_URL ?? 'http://127.0.0.1:7400';

// The desktop build: main and preload for Electron, and the same renderer as the web build.
export default defineConfig({
  main: {
    build: {
      outDir: out('main'),
      rolldownOptions: { input: { index: new URL('./src/main/index.ts', import.meta.url).pathname } },
    },
  },
  preload: {
    build: {
      outDir: out('preload'),
      rolldownOptions: {
        input: { index: new URL('./src/preload/index.ts', import.meta.url).pathname },
        // A sandboxed preload cannot be an ES module.
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    ...consoleRendererConfig(out('renderer')),
    build: {
      ...consoleRendererConfig(out('renderer')).build,
      rolldownOptions: {
        ...consoleRendererConfig(out('renderer')).build?.rolldownOptions,
        input: new URL('./src/renderer/index.html', import.meta.url).pathname,
      },
    },
    server: {
      proxy: {
        '/system/api': {
          target: devDaemon,
          changeOrigin: true,
          // better-auth checks Origin on sign-in: present the daemon's own.
          headers: { origin: devDaemon },
        },
      },
    },
  },
});
