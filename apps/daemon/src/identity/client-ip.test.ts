import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { withClientIpHeader } from './client-ip.ts';

function fakeRequest(
  remoteAddress: string | undefined,
  headers: Record<string, string> = {},
): IncomingMessage {
  return { headers: { ...headers }, socket: { remoteAddress } } as unknown as IncomingMessage;
}

describe('withClientIpHeader', () => {
  it('replaces a client-sent x-ops-client-ip with the socket address', () => {
    const req = fakeRequest('192.0.2.7', { 'x-ops-client-ip': '10.0.0.1' });
    expect(withClientIpHeader(req)).toBe('192.0.2.7');
    expect(req.headers['x-ops-client-ip']).toBe('192.0.2.7');
  });

  it('unwraps IPv4-mapped IPv6 addresses and keeps plain IPv6 ones', () => {
    expect(withClientIpHeader(fakeRequest('::ffff:127.0.0.1'))).toBe('127.0.0.1');
    expect(withClientIpHeader(fakeRequest('2001:DB8::1'))).toBe('2001:db8::1');
  });

  it('removes the header when the socket has no address', () => {
    const req = fakeRequest(undefined, { 'x-ops-client-ip': '10.0.0.1' });
    expect(withClientIpHeader(req)).toBeNull();
    expect(req.headers['x-ops-client-ip']).toBeUndefined();
  });
});
