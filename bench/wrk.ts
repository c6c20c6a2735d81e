import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';

export interface Result { name: string; rps: number; p50: number; p99: number; errors: number }

// Async on purpose: the bare proxy lives in the harness process and must keep serving while wrk runs.
export const run = promisify(execFile);

export function requireWrk(): void {
  if (spawnSync('wrk', ['--version']).error) {
    console.error('wrk is not installed: apt-get install -y wrk');
    process.exit(1);
  }
}

/** One wrk run (one thread, as every figure in bench/README.md), parsed. */
export async function wrk(name: string, url: string, o: { connections: string; duration: string; headers?: string[] }): Promise<Result> {
  const { stdout: out } = await run('wrk', ['-t1', `-c${o.connections}`, `-d${o.duration}`, '--latency', ...(o.headers ?? []).flatMap((h) => ['-H', h]), url], { encoding: 'utf8' });
  const ms = (label: string) => {
    const m = new RegExp(`^\\s+${label}\\s+([\\d.]+)(us|ms|s)`, 'm').exec(out);
    if (!m) return NaN;
    const v = Number(m[1]);
    return m[2] === 'us' ? v / 1000 : m[2] === 's' ? v * 1000 : v;
  };
  const errors = /Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? '0';
  const socketErrors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  return {
    name,
    rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)![1]),
    p50: ms('50%'),
    p99: ms('99%'),
    errors: Number(errors) + (socketErrors ? socketErrors.slice(1).map(Number).reduce((a, b) => a + b, 0) : 0),
  };
}
