import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface ChildGroup {
  /** Starts `node ARGS`; each stdout line goes to `onLine`, stderr lines to `warn`. */
  start(name: string, args: string[], onLine: (line: string) => void): ChildProcess;
  /** SIGTERM to every child, SIGKILL to stragglers after 15 s, then exit with `code`. */
  stop(code: number): void;
}

/**
 * The processes `npm start` runs, and the guarantee that none outlives it.
 *
 * Each child runs detached (its own session, no controlling terminal): a closing terminal's
 * SIGHUP reaches the demo alone, which stops them. Without that the gateway took the SIGHUP as
 * "reload", outlived its terminal and held its ports. Each child also gets a stdin pipe and is
 * started with --stop-on-stdin-end: if the demo dies without cleaning up (SIGKILL, a crash),
 * the kernel closes the pipe and the child stops itself.
 */
export function createChildGroup(o: { cwd: string; env: NodeJS.ProcessEnv; warn: (text: string) => void }): ChildGroup {
  const children: ChildProcess[] = [];
  const running = (c: ChildProcess) => c.exitCode === null && c.signalCode === null;
  let stopping = false;

  const stop = (code: number) => {
    if (stopping) return;
    stopping = true;
    for (const c of children) if (running(c)) c.kill('SIGTERM');
    setTimeout(() => children.forEach((c) => running(c) && c.kill('SIGKILL')), 15_000).unref();
    Promise.all(children.map((c) => (running(c) ? new Promise((r) => c.once('exit', r)) : null))).then(() => process.exit(code));
  };
  // Last resort when the demo itself fails (an uncaught error): 'exit' handlers run synchronously.
  process.once('exit', () => children.forEach((c) => running(c) && c.kill('SIGTERM')));

  return {
    stop,
    start(name, args, onLine) {
      const child = spawn(process.execPath, [...args, '--stop-on-stdin-end'], { cwd: o.cwd, env: o.env, detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
      createInterface({ input: child.stdout! }).on('line', onLine);
      createInterface({ input: child.stderr! }).on('line', (line) => o.warn(`${line}\n`));
      child.on('exit', (code, signal) => {
        if (stopping) return;
        o.warn(`${name} exited (${signal ?? code}); stopping the demo\n`);
        stop(1);
      });
      children.push(child);
      return child;
    },
  };
}
