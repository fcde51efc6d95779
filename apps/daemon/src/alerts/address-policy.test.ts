import { describe, expect, it } from 'vitest';
import { AddressPolicy, parsePrivateHostAllowance } from './address-policy.ts';
import { AlertSendError } from './send-errors.ts';

const strict = new AddressPolicy([]);

describe('alert destination address policy', () => {
  it('refuses every non-public range, each named in words', () => {
    const cases: [string, string][] = [
      ['127.0.0.1', 'this machine (loopback)'],
      ['127.8.9.10', 'this machine (loopback)'],
      ['::1', 'this machine (loopback)'],
      ['::ffff:127.0.0.1', 'this machine (loopback)'],
      ['10.1.2.3', 'a private network'],
      ['172.16.0.5', 'a private network'],
      ['192.168.1.1', 'a private network'],
      ['::ffff:192.168.1.1', 'a private network'],
      ['fd12:3456::1', 'a private network (unique local)'],
      ['169.254.169.254', 'a link-local network'],
      ['fe80::1', 'a link-local network'],
      ['100.64.0.1', 'a carrier-grade NAT network'],
      ['224.0.0.1', 'a multicast range'],
      ['ff02::1', 'a multicast range'],
      ['0.0.0.0', 'the unspecified address'],
      ['::', 'the unspecified address'],
      ['255.255.255.255', 'the broadcast address'],
      ['192.0.2.10', 'a reserved range'],
      ['64:ff9b::7f00:1', 'a reserved range'],
    ];
    for (const [address, words] of cases) expect(strict.refusal(address), address).toBe(words);
  });

  it('allows public unicast addresses', () => {
    for (const address of ['93.184.216.34', '8.8.8.8', '2606:4700:4700::1111', '::ffff:8.8.8.8']) {
      expect(strict.refusal(address), address).toBeNull();
    }
  });

  it('allows every range with `all`, and only the listed ranges with a list', () => {
    expect(new AddressPolicy('all').refusal('127.0.0.1')).toBeNull();
    const relay = new AddressPolicy(['10.0.0.25/32', 'fd00::/8', '192.168.7.7']);
    expect(relay.refusal('10.0.0.25')).toBeNull();
    expect(relay.refusal('10.0.0.26')).toBe('a private network');
    expect(relay.refusal('fd00::1')).toBeNull();
    expect(relay.refusal('192.168.7.7')).toBeNull();
    expect(relay.refusal('127.0.0.1')).toBe('this machine (loopback)');
  });

  it('parses OPS_ALERT_ALLOW_PRIVATE_HOSTS and names a bad range', () => {
    expect(parsePrivateHostAllowance('true')).toEqual({ allowance: 'all' });
    expect(parsePrivateHostAllowance('false')).toEqual({ allowance: [] });
    expect(parsePrivateHostAllowance(' 10.0.0.0/8 , fd00::/8 ')).toEqual({
      allowance: ['10.0.0.0/8', 'fd00::/8'],
    });
    expect(parsePrivateHostAllowance('10.0.0.0/33')).toEqual({
      problem: expect.stringContaining('"10.0.0.0/33" is not one'),
    });
    expect(parsePrivateHostAllowance('intranet')).toEqual({
      problem: expect.stringMatching(/^must be true, false/),
    });
  });

  it('checks what a name resolves to, not the name, and says which address it refused', async () => {
    const refused = await strict.resolve('localhost', 'the webhook').catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(AlertSendError);
    expect((refused as Error).message).toMatch(
      /^the webhook's address resolves to this machine \(loopback\) \((127\.0\.0\.1|::1)\), which alert destinations may not use/,
    );
    await expect(strict.resolve('[::1]', 'the webhook')).rejects.toThrow(/this machine \(loopback\) \(::1\)/);
    await expect(new AddressPolicy('all').resolve('127.0.0.1', 'the webhook')).resolves.toEqual({
      address: '127.0.0.1',
      family: 4,
    });
    await expect(strict.resolve('no-such-host.invalid', 'the mail server')).rejects.toThrow(
      "the mail server's host no-such-host.invalid could not be resolved (no such name)",
    );
  });
});
