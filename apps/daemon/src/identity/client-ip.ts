import type { IncomingMessage } from 'node:http';
import { CLIENT_IP_HEADER } from './auth-options.ts';

/**
 * better-auth reads the client IP only from headers, so the address of the TCP peer is copied into a
 * header of our own. Any copy the client sent is dropped first: otherwise anyone could pick their
 * own throttling bucket. IPv4-mapped IPv6 addresses are unwrapped so one client has one key.
 * Returns the address it set (null when the socket has none).
 */
export function withClientIpHeader(req: IncomingMessage): string | null {
  delete req.headers[CLIENT_IP_HEADER];
  const ip = normalizeIp(req.socket.remoteAddress);
  if (ip !== null) req.headers[CLIENT_IP_HEADER] = ip;
  return ip;
}

export function normalizeIp(address: string | undefined | null): string | null {
  if (!address) return null;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return (mapped?.[1] ?? address).toLowerCase();
}

/** The client IP of a request that went through `withClientIpHeader`; null when unknown. */
export function clientIpOf(headers: Headers | undefined): string | null {
  return headers?.get(CLIENT_IP_HEADER) ?? null;
}
