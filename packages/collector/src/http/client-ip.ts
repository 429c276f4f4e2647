import { isIP } from 'node:net';

import type { HeaderSource } from './exchange';

export type IpPolicy = 'keep' | 'anonymize' | 'drop';

/**
 * The client address of a request: the event's own `context.ip` wins (servers forwarding on behalf
 * of a browser set it), else the first `X-Forwarded-For` hop when the proxy is trusted, else the
 * socket address the adapter passed in.
 */
export function requestIp(headers: HeaderSource, remoteAddress: string | undefined, trustProxy: boolean): string | undefined {
  if (trustProxy) {
    const forwarded = headers.get('x-forwarded-for')?.split(',')[0]?.trim() || headers.get('x-real-ip')?.trim();
    if (forwarded) return forwarded;
  }
  return remoteAddress || undefined;
}

/**
 * Applies the IP policy. `anonymize` zeroes the last octet of IPv4 and the last 80 bits of IPv6
 * (as Google Analytics does); anything that is not an IP address is dropped, since it cannot be
 * anonymised. Returns `undefined` when nothing should be stored.
 */
export function applyIpPolicy(ip: string | undefined, policy: IpPolicy): string | undefined {
  if (!ip || policy === 'drop') return undefined;
  const address = unmapIpv4(ip.trim());
  if (policy === 'keep') return address;
  const family = isIP(address);
  if (family === 4) return address.replace(/\.\d+$/, '.0');
  if (family === 6) return anonymizeIpv6(address);
  return undefined;
}

function unmapIpv4(ip: string): string {
  const match = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  return match?.[1] ?? ip;
}

function anonymizeIpv6(ip: string): string {
  const withoutZone = ip.split('%')[0] ?? ip;
  const [head = '', tail = ''] = withoutZone.split('::');
  const headGroups = head ? head.split(':') : [];
  const tailGroups = withoutZone.includes('::') ? (tail ? tail.split(':') : []) : [];
  const missing = 8 - headGroups.length - tailGroups.length;
  const groups = [...headGroups, ...Array<string>(Math.max(0, missing)).fill('0'), ...tailGroups];
  return `${groups.slice(0, 3).map((group) => group.toLowerCase().replace(/^0+(?=.)/, '')).join(':')}::`;
}
