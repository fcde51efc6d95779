import react from '@vitejs/plugin-react';
import type { UserConfig } from 'vite';

/**
 * The renderer's build settings, shared by both builds of the console: the web bundle the daemon
 * serves at /system (vite.web.config.ts) and the Electron renderer (electron.vite.config.ts). Both
 * use the base /system/ so the same client-side routes and asset URLs work in the browser and
 * behind the desktop app's app:// protocol.
 */
export const CONSOLE_BASE = '/system/';

export function consoleRendererConfig(outDir: string): UserConfig {
  return {
    root: new URL('./src/renderer', import.meta.url).pathname,
    base: CONSOLE_BASE,
    plugins: [react()],
    build: {
      outDir,
      emptyOutDir: true,
      minify: true,
      assetsDir: 'assets',
      // Fluent UI is large; one vendor chunk keeps page chunks small and cacheable across releases.
      chunkSizeWarningLimit: 1500,
      rolldownOptions: {
        output: {
          codeSplitting: {
            groups: [{ name: 'vendor', test: /node_modules/ }],
          },
        },
      },
    },
  };
}
