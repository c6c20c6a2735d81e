import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const made = new Set<string>();

/**
 * A fresh folder in os.tmpdir(), removed when the test file's process exits, passed or failed:
 * `node --test` runs each file in its own process, so nothing outlives the file that made it.
 */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.add(dir);
  return dir;
}

/** Removes a folder now (a suite that makes many); it is no longer removed at exit. */
export function removeTempDir(dir: string): void {
  made.delete(dir);
  rmSync(dir, { recursive: true, force: true });
}

// Synchronous on purpose: an 'exit' listener cannot wait for anything.
process.once('exit', () => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});
