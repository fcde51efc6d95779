import net from 'node:net';

/**
 * A TCP proxy between a process and PostgreSQL that a test can cut: `cut()` drops every open
 * connection at once (as a NAT, a firewall or a failover would), `refuse()` makes new connections
 * fail until `accept()`. The processes under test connect to `url` instead of the database's.
 */
export interface TcpProxy {
  /** `databaseUrl` with the proxy's host and port. */
  url: string;
  /** Connections open through the proxy now. */
  readonly open: number;
  cut(): void;
  refuse(): void;
  accept(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(databaseUrl: string): Promise<TcpProxy> {
  const target = new URL(databaseUrl);
  const sockets = new Set<net.Socket>();
  let refusing = false;
  const server = net.createServer((client) => {
    if (refusing) return client.destroy();
    const upstream = net.connect(Number(target.port || 5432), target.hostname);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => {});
      s.on('close', () => {
        sockets.delete(s);
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  const url = new URL(databaseUrl);
  url.hostname = '127.0.0.1';
  url.port = String(port);
  const cut = () => {
    for (const s of sockets) s.destroy();
  };
  return {
    url: url.toString(),
    get open() {
      return sockets.size / 2;
    },
    cut,
    refuse() {
      refusing = true;
      cut();
    },
    accept() {
      refusing = false;
    },
    close() {
      refusing = true;
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
