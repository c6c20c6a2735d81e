import { spawn } from 'node:child_process';
import { GATEWAY_BIN } from './paths.js';

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** One `gateway ...` command to completion; stdin gets `input` (passwords), then closes. */
export function gatewayCli(args: string[], o: { input?: string; env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [GATEWAY_BIN, ...args], { env: { ...process.env, ...o.env }, cwd: o.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d; });
    child.stderr.on('data', (d: Buffer) => { stderr += d; });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    // A command may stop reading before the input ends (the password cap): EPIPE is its answer, not ours.
    child.stdin.on('error', () => {});
    child.stdin.end(o.input ?? '');
  });
}
