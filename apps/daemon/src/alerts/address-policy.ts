import dns from 'node:dns/promises';
import net from 'node:net';
import ipaddr from 'ipaddr.js';
import { AlertSendError } from './send-errors.ts';

// Where alert destinations may connect to. Webhook and SMTP URLs are typed by operators, so left
// alone "Send test" would let them probe the daemon's own machine and network (the database port,
// cloud metadata at 169.254.169.254, internal services). Only public unicast addresses are
// allowed unless OPS_ALERT_ALLOW_PRIVATE_HOSTS says otherwise. The check runs on the address the
// connection is then made to (never on the name, never before a second lookup), so a name that
// resolves to a public address for the check and to 127.0.0.1 for the connection cannot slip by.

/**
 * OPS_ALERT_ALLOW_PRIVATE_HOSTS: `all` (tests, the demo), or the ranges that are allowed besides
 * public addresses (a mail relay on 10.0.0.25/32). An empty list allows none.
 */
export type PrivateHostAllowance = 'all' | readonly string[];

/** ipaddr.js range names as an operator reads them; every other non-unicast range is "reserved". */
const RANGE_WORDS: Record<string, string> = {
  loopback: 'this machine (loopback)',
  private: 'a private network',
  uniqueLocal: 'a private network (unique local)',
  linkLocal: 'a link-local network',
  carrierGradeNat: 'a carrier-grade NAT network',
  multicast: 'a multicast range',
  unspecified: 'the unspecified address',
  broadcast: 'the broadcast address',
};

const ALL_WORDS = new Set(['true', 'all', 'yes', '1']);
const NONE_WORDS = new Set(['false', 'none', 'no', '0']);

/**
 * Parses OPS_ALERT_ALLOW_PRIVATE_HOSTS. Returns the allowance, or the problem in words for the
 * configuration error that names the variable.
 */
export function parsePrivateHostAllowance(
  text: string,
): { allowance: PrivateHostAllowance } | { problem: string } {
  const value = text.trim().toLowerCase();
  if (ALL_WORDS.has(value)) return { allowance: 'all' };
  if (NONE_WORDS.has(value)) return { allowance: [] };
  const ranges = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const range of ranges) {
    if (!ipaddr.isValidCIDR(range) && !ipaddr.isValid(range)) {
      return {
        problem: `must be true, false or a comma-separated list of address ranges like 10.0.0.0/8,fd00::/8 (${JSON.stringify(range)} is not one)`,
      };
    }
  }
  return { allowance: ranges };
}

type Cidr = [ipaddr.IPv4 | ipaddr.IPv6, number];

function toCidr(range: string): Cidr {
  if (ipaddr.isValidCIDR(range)) return ipaddr.parseCIDR(range);
  const address = ipaddr.process(range);
  return [address, address.kind() === 'ipv4' ? 32 : 128];
}

function inRange(address: ipaddr.IPv4 | ipaddr.IPv6, [net, bits]: Cidr): boolean {
  if (address.kind() === 'ipv4' && net.kind() === 'ipv4') {
    return (address as ipaddr.IPv4).match(net as ipaddr.IPv4, bits);
  }
  if (address.kind() === 'ipv6' && net.kind() === 'ipv6') {
    return (address as ipaddr.IPv6).match(net as ipaddr.IPv6, bits);
  }
  return false;
}

/** The rule applied to every address an alert destination connects to. */
export class AddressPolicy {
  private readonly allowed: Cidr[];

  constructor(private readonly allowance: PrivateHostAllowance) {
    this.allowed = allowance === 'all' ? [] : allowance.map(toCidr);
  }

  /** What kind of network `address` is on, in words, when it is refused; null when allowed. */
  refusal(address: string): string | null {
    // IPv4-mapped IPv6 (::ffff:127.0.0.1) is judged as the IPv4 address it carries.
    const parsed = ipaddr.process(address);
    const range = parsed.range();
    if (range === 'unicast' || this.allowance === 'all') return null;
    return this.allowed.some((cidr) => inRange(parsed, cidr))
      ? null
      : (RANGE_WORDS[range] ?? 'a reserved range');
  }

  /**
   * Resolves `hostname` and returns the address to connect to, checked. Every address the name
   * resolves to must be allowed: a name with one private address among public ones is refused.
   * Throws AlertSendError in operator words (`what` names the destination: "the webhook").
   */
  async resolve(hostname: string, what: string): Promise<{ address: string; family: 4 | 6 }> {
    const host = hostname.replace(/^\[(.*)\]$/, '$1');
    let addresses: { address: string; family: number }[];
    if (net.isIP(host)) {
      addresses = [{ address: host, family: net.isIP(host) }];
    } else {
      try {
        addresses = await dns.lookup(host, { all: true, verbatim: true });
      } catch {
        throw new AlertSendError(`${what}'s host ${host} could not be resolved (no such name)`);
      }
    }
    for (const { address } of addresses) {
      const words = this.refusal(address);
      if (words) {
        throw new AlertSendError(
          `${what}'s address resolves to ${words} (${address}), which alert destinations may not use` +
            '; OPS_ALERT_ALLOW_PRIVATE_HOSTS can allow it',
        );
      }
    }
    const first = addresses[0];
    if (!first) throw new AlertSendError(`${what}'s host ${host} could not be resolved (no address)`);
    return { address: first.address, family: first.family === 6 ? 6 : 4 };
  }
}
