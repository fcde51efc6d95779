import net from 'node:net';

/**
 * A TCP proxy between a process and PostgreSQL that a test can break as a network or a failover
 * would: `cut()` drops every open connection at once, `refuse()` also makes new connections fail
 * until `accept()`, `stall()` forwards no byte more on any connection, open or new (a black-holed
 * route: only timeouts notice) until `accept()`. The processes under test connect to `url`.
 */
export interface TcpProxy {
  /** `databaseUrl` with the proxy's host and port. */
  url: string;
  /** Connections open through the proxy now. */
  readonly open: number;
  cut(): void;
  refuse(): void;
  stall(): void;
  /** Back to forwarding, on open connections too (those accepted while stalled stay silent). */
  accept(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(databaseUrl: string): Promise<TcpProxy> {
  const target = new URL(databaseUrl);
  const pairs = new Set<[net.Socket, net.Socket | null]>();
  let mode: 'forward' | 'refuse' | 'stall' = 'forward';
  const server = net.createServer((client) => {
    client.on('error', () => {});
    if (mode === 'refuse') return client.destroy();
    if (mode === 'stall') {
      const pair: [net.Socket, null] = [client, null]; // accepted, never answered
      pairs.add(pair);
      client.on('data', () => {});
      client.on('close', () => pairs.delete(pair));
      return;
    }
    const upstream = net.connect(Number(target.port || 5432), target.hostname);
    upstream.on('error', () => {});
    const pair: [net.Socket, net.Socket] = [client, upstream];
    pairs.add(pair);
    const end = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('close', end);
    upstream.on('close', end);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  const url = new URL(databaseUrl);
  url.hostname = '127.0.0.1';
  url.port = String(port);
  const drop = () => {};
  const cut = () => {
    for (const [client, upstream] of pairs) {
      client.destroy();
      upstream?.destroy();
    }
  };
  return {
    url: url.toString(),
    get open() {
      return pairs.size;
    },
    cut,
    refuse() {
      mode = 'refuse';
      cut();
    },
    stall() {
      mode = 'stall';
      for (const [client, upstream] of pairs) {
        if (!upstream) continue;
        // Still read both sides (what is sent is lost, as on a black-holed route), so a close from
        // either end is noticed and passed on.
        client.unpipe(upstream);
        upstream.unpipe(client);
        client.on('data', drop);
        upstream.on('data', drop);
      }
    },
    accept() {
      if (mode === 'stall') {
        for (const [client, upstream] of pairs) {
          if (!upstream) continue;
          client.off('data', drop);
          upstream.off('data', drop);
          client.pipe(upstream);
          upstream.pipe(client);
        }
      }
      mode = 'forward';
    },
    close() {
      mode = 'refuse';
      cut();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
