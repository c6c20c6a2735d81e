import { readFileSync } from 'node:fs';

const LISTEN = '0A'; // include/net/tcp_states.h

/**
 * Sockets on a local port that a process still holds a descriptor for, read from
 * /proc/net/tcp{,6} (what `ss` reads; not every machine has iproute2). The kernel keeps closed
 * sockets around for a while (FIN-WAIT-2, TIME-WAIT) with inode 0: those belong to no process.
 * Returns their state codes.
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
      const [local, state, inode] = [fields[1], fields[3], fields[9]];
      if (local === undefined || state === undefined || inode === undefined) continue;
      if (local.endsWith(`:${hexPort}`) && state !== LISTEN && inode !== '0') found.push(state);
    }
  }
  return found;
}
