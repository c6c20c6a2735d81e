import { readdirSync, readFileSync } from 'node:fs';

/**
 * Linux /proc, read directly: a process is gone when its entry is, or when it is a zombie (an
 * orphan waits there until PID 1 reaps it, which a container's PID 1 may never do).
 */
export function isAlive(pid: number): boolean {
  const stat = readStat(pid);
  return stat !== null && stat.state !== 'Z' && stat.state !== 'X';
}

/** The live processes whose parent is `pid`: what a supervisor started. */
export function childPids(pid: number): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number)
    .filter((p) => readStat(p)?.ppid === pid && isAlive(p));
}

function readStat(pid: number): { state: string; ppid: number } | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so split after the last ')'.
  const [state, ppid] = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { state: state!, ppid: Number(ppid) };
}
