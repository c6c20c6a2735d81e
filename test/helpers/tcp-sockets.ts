import { readFileSync } from 'node:fs';

/** Kernel TCP states (include/net/tcp_states.h) of sockets that still hold a file descriptor. */
const HOLDING_FD: Record<string, string> = { '01': 'ESTABLISHED', '08': 'CLOSE_WAIT', '03': 'SYN_RECV' };

/**
 * Server-side sockets on a local port that still hold a descriptor, read from /proc/net/tcp{,6}
 * (what `ss` reads; not every machine has iproute2). TIME_WAIT and FIN_WAIT are the kernel's
 * and hold nothing of the process's.
 */
export function openSocketsOnPort(port: number): string[] {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  const found: string[] = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      const local = fields[1];
      const state = fields[3];
      if (local === undefined || state === undefined) continue;
      if (local.endsWith(`:${hexPort}`) && HOLDING_FD[state] !== undefined) found.push(HOLDING_FD[state]);
    }
  }
  return found;
}
