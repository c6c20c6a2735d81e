import type { BlockList } from 'node:net';

/**
 * The client's address: the TCP peer, unless the peer is a trusted proxy, in which case the
 * right-most X-Forwarded-For entry that is not itself trusted. Entries left of that one are
 * whatever the client wrote and are never believed (security notes, item 4).
 */
export function clientAddress(peer: string, forwardedFor: string | undefined, trusted: BlockList | null): string {
  const self = unmapIPv4(peer);
  if (trusted === null || forwardedFor === undefined || !isTrusted(trusted, self)) return self;
  const hops = forwardedFor.split(',');
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = unmapIPv4(hops[i]!.trim());
    if (hop === '') continue;
    if (!isTrusted(trusted, hop)) return hop;
  }
  return self;
}

export function isTrusted(trusted: BlockList, address: string): boolean {
  try {
    return trusted.check(address, address.includes(':') ? 'ipv6' : 'ipv4');
  } catch {
    return false; // not an IP address at all
  }
}

export function unmapIPv4(address: string): string {
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}
