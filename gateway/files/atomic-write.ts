import { randomBytes } from 'node:crypto';
import { renameSync, writeFileSync } from 'node:fs';

/**
 * Write to a temporary file beside the target, then rename: readers (and the polled watches of
 * running gateways) see the old or the new file, never half of one. The random suffix keeps two
 * writers in one process (or two CLI runs) off each other's temporary file.
 */
export function writeFileAtomically(file: string, content: string, mode = 0o600): void {
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(tmp, content, { mode });
  renameSync(tmp, file);
}
