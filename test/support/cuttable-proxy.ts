import net from 'node:net';

/**
 * A TCP proxy in front of PostgreSQL that a test can take away and bring back, as a restarting
 * database or a broken network would: `down()` closes the listener and cuts every connection
 * (new ones are refused), `up()` listens again on the same port, `stall()` forwards no more bytes
 * on any connection, open or new (a black-holed network: only timeouts notice).
 */
export interface CuttableProxy {
  /** `targetUrl` with its host and port replaced by the proxy's. */
  url: string;
  down(): Promise<void>;
  up(): Promise<void>;
  stall(): void;
  close(): Promise<void>;
}

export async function startCuttableProxy(targetUrl: string): Promise<CuttableProxy> {
  const target = new URL(targetUrl);
  const sockets = new Set<net.Socket>();
  let stalled = false;
  const track = (socket: net.Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  };
  const server = net.createServer((client) => {
    track(client);
    if (stalled) return; // accepted, never answered
    const upstream = net.connect(Number(target.port), target.hostname);
    track(upstream);
    // Byte by byte rather than pipe(): while stalled, what is sent is lost, as on a black-holed route.
    client.on('data', (data) => stalled || upstream.write(data));
    upstream.on('data', (data) => stalled || client.write(data));
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  await listen(0);
  const port = (server.address() as net.AddressInfo).port;
  const url = new URL(targetUrl);
  url.hostname = '127.0.0.1';
  url.port = String(port);

  const cut = async () => {
    for (const socket of sockets) socket.destroy();
    if (server.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return {
    url: url.toString(),
    down: cut,
    async up() {
      stalled = false;
      if (!server.listening) await listen(port);
    },
    stall() {
      stalled = true;
    },
    close: cut,
  };
}
