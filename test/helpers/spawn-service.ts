import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface Service {
  readonly child: ChildProcess;
  readonly pid: number;
  /** Every stdout line so far (JSON lines for our services). */
  readonly lines: string[];
  readonly stderr: string[];
  /** Resolves with the first stdout line that satisfies `test`, seen before or after this call. */
  waitForLine(test: (line: string) => boolean, timeoutMs?: number): Promise<string>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves with the exit code. */
  stop(graceMs?: number): Promise<number | null>;
  exited: Promise<number | null>;
}

/**
 * Starts a process and keeps its output for the test to read. Stopped by PID, never left behind.
 * `detached`: its own process group (and session), as a shell starts a job from a terminal.
 */
export function spawnService(command: string, args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string; expectFailure?: boolean; detached?: boolean } = {}): Service {
  const child = spawn(command, args, { env: { ...process.env, ...options.env }, cwd: options.cwd, detached: options.detached, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const stderr: string[] = [];
  const waiters: { test: (l: string) => boolean; resolve: (l: string) => void }[] = [];
  createInterface({ input: child.stdout! }).on('line', (line) => {
    lines.push(line);
    for (const w of [...waiters]) if (w.test(line)) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve(line);
    }
  });
  createInterface({ input: child.stderr! }).on('line', (line) => stderr.push(line));
  let stopping = false;
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code, signal) => {
    // A service dying under a test is the first thing to know when the test then fails.
    if (!stopping && code !== 0 && !options.expectFailure) {
      process.stderr.write(`\n[${command} ${args.join(' ')}] exited unexpectedly (${signal ?? code})\n${stderr.join('\n')}\n${lines.slice(-20).join('\n')}\n`);
    }
    resolve(code);
  }));
  running.add(child);
  void exited.then(() => running.delete(child));

  return {
    child,
    pid: child.pid!,
    lines,
    stderr,
    exited,
    waitForLine(test, timeoutMs = 15_000) {
      const seen = lines.find(test);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`timed out waiting for a line; stdout:\n${lines.join('\n')}\nstderr:\n${stderr.join('\n')}`)), timeoutMs);
        const waiter = { test, resolve: (l: string) => { clearTimeout(timer); resolve(l); } };
        waiters.push(waiter);
        void exited.then((code) => {
          if (waiters.includes(waiter)) {
            clearTimeout(timer);
            reject(new Error(`process exited (${code}) before the line; stdout:\n${lines.join('\n')}\nstderr:\n${stderr.join('\n')}`));
          }
        });
      });
    },
    async stop(graceMs = 5000) {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      stopping = true;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

const running = new Set<ChildProcess>();
// A failing test must not leave servers behind for the next file.
process.once('exit', () => {
  for (const c of running) c.kill('SIGKILL');
});

/** Parsed JSON lines, skipping anything that is not JSON. */
export function jsonLines(lines: readonly string[]): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const l of lines) {
    try {
      out.push(JSON.parse(l) as Record<string, unknown>);
    } catch {
      // not a log line
    }
  }
  return out;
}
