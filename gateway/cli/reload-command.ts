import type { GatewayConfig } from '../config/compile-config.js';
import { adminRequest } from './admin-request.js';
import { isGatewayProcess, readPid } from './pid-file.js';
import { UsageError } from './users-command.js';

/** The environment variable `gateway reload` takes the admin API key from (never a flag: shells keep history). */
export const ADMIN_KEY_VARIABLE = 'GATEWAY_ADMIN_KEY';

interface Reloaded {
  routesAdded: string[];
  routesRemoved: string[];
  routesChanged: string[];
  sectionsChanged: string[];
  restartNeeded: string[];
}

/**
 * gateway reload --config FILE: what SIGHUP does, from a shell. With `listeners.admin` in FILE it
 * asks POST /admin/reload (the key from GATEWAY_ADMIN_KEY) and prints what changed, or the errors
 * that kept the running config (exit 1). Without one it signals the PID in FILE's `pidFile`;
 * the outcome is then in the gateway's log.
 */
export async function reloadCommand(config: GatewayConfig<'strict' | 'optional'>, file: string, env: Readonly<Record<string, string | undefined>>): Promise<number> {
  if (config.listeners.admin) return throughAdmin(config, env[ADMIN_KEY_VARIABLE]);
  if (config.pidFile !== null) return bySignal(config.pidFile);
  throw new UsageError(`${file} has neither listeners.admin (then: ${ADMIN_KEY_VARIABLE}=<admin key> gateway reload --config FILE) nor pidFile (then the PID there gets a SIGHUP)`);
}

async function throughAdmin(config: GatewayConfig<'strict' | 'optional'>, key: string | undefined): Promise<number> {
  if (!key) throw new UsageError(`set ${ADMIN_KEY_VARIABLE} to an API key with the admin role ("gateway keys create --name ops --role admin" makes one)`);
  const at = config.listeners.admin!;
  const where = `${at.tls ? 'https' : 'http'}://${at.host}:${at.port}`;
  let answer;
  try {
    answer = await adminRequest(config, 'POST', '/admin/reload', key);
  } catch (err) {
    process.stderr.write(`gateway reload: no answer from the admin listener at ${where} (${(err as Error).message}); is the gateway running with this config?\n`);
    return 1;
  }
  const body = answer.body as { reloaded?: Reloaded; errors?: string[]; detail?: string; code?: string; workers?: WorkerLine[] };
  if (answer.status === 200 && body.reloaded) {
    // Under workers: every one applied it (else the answer is not a 200).
    process.stdout.write(`${describe(body.reloaded)}${body.workers ? ` (every worker: ${body.workers.length})` : ''}\n`);
    return 0;
  }
  if (answer.status === 422 && Array.isArray(body.errors)) {
    process.stderr.write(`gateway reload: config rejected; the running config stays\n${body.errors.join('\n')}\n`);
    return 1;
  }
  if (answer.status === 409 && body.code === 'config.reload_incomplete' && Array.isArray(body.workers)) {
    process.stderr.write(`gateway reload: ${body.detail ?? 'reload incomplete'}; the workers may run different configs\n${body.workers.map(describeWorker).join('\n')}\n`);
    return 1;
  }
  process.stderr.write(`gateway reload: ${where} answered ${answer.status}${body.code ? ` ${body.code}` : ''}${body.detail ? `: ${body.detail}` : ''}\n`);
  return 1;
}

/** One worker's part of a reload under `workers` (server/combine-reloads.ts WorkerReload). */
interface WorkerLine {
  worker: number;
  pid: number;
  outcome: 'applied' | 'refused' | 'no_answer';
  errors?: string[];
}

function describeWorker(w: WorkerLine): string {
  const what = w.outcome === 'applied' ? 'applied' : w.outcome === 'refused' ? `refused: ${(w.errors ?? []).join('; ')}` : 'did not answer in time';
  return `  worker ${w.worker} (pid ${w.pid}): ${what}`;
}

function bySignal(pidFile: string): number {
  const pid = readPid(pidFile);
  if (pid === null) {
    process.stderr.write(`gateway reload: ${pidFile} names no process; is the gateway running with this config?\n`);
    return 1;
  }
  if (!isGatewayProcess(pid)) {
    process.stderr.write(`gateway reload: ${pidFile} names PID ${pid}, which is not a running gateway (a stale file?); nothing signalled\n`);
    return 1;
  }
  try {
    process.kill(pid, 'SIGHUP');
  } catch (err) {
    process.stderr.write(`gateway reload: cannot signal PID ${pid}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}\n`);
    return 1;
  }
  process.stdout.write(`sent SIGHUP to PID ${pid}; whether the config was applied is in the gateway's log ("config reloaded" or "config rejected")\n`);
  return 0;
}

/** One line an operator reads: what changed, and what waits for a restart. */
export function describe(r: Reloaded): string {
  const parts = [
    ...(['added', 'removed', 'changed'] as const).flatMap((what) => {
      const ids = what === 'added' ? r.routesAdded : what === 'removed' ? r.routesRemoved : r.routesChanged;
      return ids.length > 0 ? [`routes ${what}: ${ids.join(', ')}`] : [];
    }),
    ...(r.sectionsChanged.length > 0 ? [`sections changed: ${r.sectionsChanged.join(', ')}`] : []),
    ...(r.restartNeeded.length > 0 ? [`restart needed for: ${r.restartNeeded.join(', ')}`] : []),
  ];
  return `reloaded${parts.length > 0 ? `; ${parts.join('; ')}` : ': nothing changed'}`;
}
