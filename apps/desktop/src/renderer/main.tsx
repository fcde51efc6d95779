import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { desktopBridge } from './api/desktop.ts';
import { createApiClient } from './api/trpc.ts';
import { App } from './app/App.tsx';
import { Providers } from './app/Providers.tsx';

async function eventSourceForThisShell(): Promise<typeof globalThis.EventSource> {
  // The desktop app serves the console from its own app:// scheme; a fetch-based EventSource works
  // there, the built-in one only over http(s).
  if (!desktopBridge()) return globalThis.EventSource;
  const ponyfill = await import('eventsource');
  return ponyfill.EventSource as unknown as typeof globalThis.EventSource;
}

const client = createApiClient(await eventSourceForThisShell());

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <Providers client={client}>
      <App />
    </Providers>
  </StrictMode>,
);
