import { readFileSync, rmSync } from 'node:fs';
import { writeFileAtomically } from '../files/atomic-write.js';

/**
 * `serve` writes its PID to the config's `pidFile` once it listens and removes it when it stops
 * (if the file still names it), so `gateway reload` can find the process without an admin listener.
 */
export function writePidFile(file: string): () => void {
  writeFileAtomically(file, `${process.pid}\n`, 0o644);
  return () => {
    // A second gateway started on the same file has replaced it: its file is not ours to remove.
    if (readPid(file) === process.pid) rmSync(file, { force: true });
  };
}

/** The PID a file names, or null when it is missing or holds no PID. */
export function readPid(file: string): number | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return null;
  }
  const pid = Number(text.trim());
  return Number.isSafeInteger(pid) && pid > 1 ? pid : null;
}

/**
 * Whether `pid` is a running `gateway serve`: a stale PID file whose number the system gave to
 * another process must not get a SIGHUP (which ends most programs). On Linux the command line
 * says; elsewhere a live process is taken at its word.
 */
export function isGatewayProcess(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    // EPERM: it exists but is not ours to signal; the kill below will say so.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  let cmdline: string;
  try {
    cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return true;
  }
  const args = cmdline.split('\0');
  return args.includes('serve') && args.some((a) => a === '--config' || a === '-c' || a.startsWith('--config='));
}
