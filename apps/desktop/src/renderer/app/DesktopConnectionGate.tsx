import { createContext, type ReactNode, useCallback, useContext, useEffect, useState } from 'react';
import type { DesktopConnection } from '../../shared/ipc.ts';
import { desktopBridge } from '../api/desktop.ts';
import { LoadingState } from '../components/states.tsx';
import { ConnectPage } from '../pages/ConnectPage.tsx';

interface ConnectionControl {
  /** Null in a browser: the console is served by the daemon it talks to. */
  connection: DesktopConnection | null;
  /** Desktop only: forget the daemon (and its session) and ask for an address again. */
  changeDaemon: () => Promise<void>;
}

const ConnectionContext = createContext<ConnectionControl>({
  connection: null,
  changeDaemon: async () => {},
});

export function useDesktopConnection(): ConnectionControl {
  return useContext(ConnectionContext);
}

/**
 * In the desktop app, the console needs a daemon before anything else: on first start (no address
 * remembered) it asks for one. In a browser this renders its children as they are.
 */
export function DesktopConnectionGate({ children }: { children: ReactNode }) {
  const bridge = desktopBridge();
  const [connection, setConnection] = useState<DesktopConnection | null | undefined>(
    bridge ? undefined : null,
  );

  useEffect(() => {
    bridge?.getConnection().then(setConnection);
  }, [bridge]);

  const changeDaemon = useCallback(async () => {
    if (!bridge) return;
    await bridge.forgetDaemon();
    setConnection(await bridge.getConnection());
  }, [bridge]);

  if (!bridge) {
    return (
      <ConnectionContext.Provider value={{ connection: null, changeDaemon }}>
        {children}
      </ConnectionContext.Provider>
    );
  }
  if (connection === undefined) return <LoadingState label="Starting…" />;
  if (connection === null || connection.daemonUrl === null) {
    return (
      <ConnectPage
        defaultUrl={connection?.defaultDaemonUrl ?? ''}
        connect={async (url) => {
          const result = await bridge.setDaemonUrl(url);
          if (result.ok) setConnection(await bridge.getConnection());
          return result;
        }}
      />
    );
  }
  return (
    <ConnectionContext.Provider value={{ connection, changeDaemon }}>{children}</ConnectionContext.Provider>
  );
}
