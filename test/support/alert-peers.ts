import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { freePort } from '../../apps/daemon/src/db/embedded.ts';

// Real peers for alert tests: an SMTP server (the smtp-server package) and an HTTP server standing
// in for a Teams incoming webhook. Both listen on loopback only and can be told to refuse.

export interface ReceivedMail {
  from: string;
  to: string[];
  raw: string;
  subject: string;
  /** The decoded body of each MIME part, by content type (text/plain, text/html). */
  parts: Record<string, string>;
}

export interface SmtpPeer {
  url: string;
  mails: ReceivedMail[];
  /** While set, every message is refused with this SMTP code (e.g. 550). */
  refuseWith: number | null;
  close(): Promise<void>;
}

function decodeBody(body: string, encoding: string | undefined): string {
  if (encoding === 'base64') return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  if (encoding === 'quoted-printable') {
    const bytes = body
      .replace(/=\r?\n/g, '')
      .replace(/=([0-9A-F]{2})/gi, (_m, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
    return Buffer.from(bytes, 'latin1').toString('utf8');
  }
  return body;
}

function headersOf(block: string): Map<string, string> {
  const unfolded = block.replace(/\r?\n[ \t]+/g, ' ');
  return new Map(
    unfolded.split(/\r?\n/).flatMap((line) => {
      const at = line.indexOf(':');
      return at > 0 ? [[line.slice(0, at).trim().toLowerCase(), line.slice(at + 1).trim()] as const] : [];
    }),
  );
}

/** Just enough MIME for our own messages: one level of multipart, each part decoded. */
export function parseMail(raw: string): Pick<ReceivedMail, 'subject' | 'parts'> {
  const split = raw.search(/\r?\n\r?\n/);
  const headers = headersOf(raw.slice(0, split));
  const body = raw.slice(split).replace(/^\r?\n\r?\n/, '');
  const type = headers.get('content-type') ?? 'text/plain';
  const parts: Record<string, string> = {};
  const boundary = /boundary="?([^";]+)"?/i.exec(type)?.[1];
  if (!boundary) {
    parts[type.split(';')[0]!.trim()] = decodeBody(body, headers.get('content-transfer-encoding'));
  } else {
    for (const chunk of body.split(`--${boundary}`).slice(1)) {
      if (chunk.startsWith('--')) break;
      const at = chunk.search(/\r?\n\r?\n/);
      const partHeaders = headersOf(chunk.slice(0, at));
      const partType = (partHeaders.get('content-type') ?? 'text/plain').split(';')[0]!.trim();
      parts[partType] = decodeBody(
        chunk
          .slice(at)
          .replace(/^\r?\n\r?\n/, '')
          .replace(/\r?\n$/, ''),
        partHeaders.get('content-transfer-encoding'),
      );
    }
  }
  return { subject: headers.get('subject') ?? '', parts };
}

export async function startSmtpPeer(): Promise<SmtpPeer> {
  const port = await freePort();
  const peer: SmtpPeer = {
    url: `smtp://127.0.0.1:${port}`,
    mails: [],
    refuseWith: null,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        if (peer.refuseWith !== null) {
          const error = Object.assign(new Error('mailbox unavailable (test peer refuses)'), {
            responseCode: peer.refuseWith,
          });
          callback(error);
          return;
        }
        const raw = Buffer.concat(chunks).toString('utf8');
        peer.mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw,
          ...parseMail(raw),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return peer;
}

export interface WebhookPeer {
  url: string;
  /** The JSON bodies received (including refused ones). */
  posts: unknown[];
  /** The status to answer with. */
  status: number;
  /** While set, every request is answered 302 to this location. */
  redirectTo: string | null;
  /** TCP connections accepted so far (an address refused before connecting adds none). */
  connections: number;
  close(): Promise<void>;
}

export async function startWebhookPeer(
  pathname = '/webhookb2/test-team/IncomingWebhook/abc123/secret-xyz',
): Promise<WebhookPeer> {
  const peer: WebhookPeer = {
    url: '',
    posts: [],
    status: 200,
    redirectTo: null,
    connections: 0,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      if (peer.redirectTo) {
        res.writeHead(302, { location: peer.redirectTo });
        res.end('moved (test peer)');
        return;
      }
      peer.posts.push(JSON.parse(body || 'null'));
      res.writeHead(peer.status, { 'content-type': 'text/plain' });
      res.end(peer.status < 300 ? '1' : 'Internal error (test peer)');
    });
  });
  server.on('connection', () => {
    peer.connections += 1;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  peer.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${pathname}`;
  return peer;
}

export interface TcpPeer {
  port: number;
  /** Connections accepted so far. */
  connections: number;
  close(): Promise<void>;
}

/**
 * A port that accepts connections and never says a word (`silent`), or answers with bytes that
 * are neither HTTP nor SMTP and hangs up (`garbage`).
 */
export async function startTcpPeer(behaviour: 'silent' | 'garbage'): Promise<TcpPeer> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    peer.connections += 1;
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
    if (behaviour === 'garbage') socket.end('\u0000\u0001 not a protocol you know (test peer)\n');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const peer: TcpPeer = {
    port: (server.address() as AddressInfo).port,
    connections: 0,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
  return peer;
}

/** A URL on a port nothing listens on: connection refused. */
export async function refusedUrl(scheme: 'http' | 'smtp'): Promise<string> {
  return `${scheme}://127.0.0.1:${await freePort()}${scheme === 'http' ? '/webhook' : ''}`;
}
