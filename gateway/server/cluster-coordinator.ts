import { ConfigError, formatIssue } from '../config/config-error.js';
import { loadConfig, type Env } from '../config/load-config.js';
import { createClusterMetrics, type WorkerSeries } from '../observability/cluster-metrics.js';
import type { Logger } from '../observability/logger.js';
import type { AskOp, WorkerOp } from './cluster-messages.js';
import { combineReloads, type FleetReload } from './combine-reloads.js';
import { WORKER_NOTE_MS, WORKER_RELOAD_MS, WORKER_RENEW_MS, WORKER_SCRAPE_MS, workerRenews } from './fleet.js';
import type { WorkerAnswer } from './worker-supervisor.js';

export interface Coordinator {
  /** A worker's question (an admin request), answered for every worker. */
  ask(op: AskOp): Promise<unknown>;
  /** What SIGHUP to the primary and POST /admin/reload do: check once, then every worker reloads. */
  reload(): Promise<FleetReload>;
  /** A worker (cluster id) exited: what it counted stays in /metrics, its gauges go. */
  workerExited(worker: number): void;
}

/**
 * The primary's side of the admin endpoints that concern every worker. A reload is checked here
 * first, so a file that does not load is refused before any worker is touched, rather than by
 * each worker in turn (and none is left on another config because of it); what can still differ
 * is a part failing to build in one worker only, which the answer then lists.
 */
export function createCoordinator(o: {
  configFile: string;
  env: Env;
  logger: Logger;
  broadcast(op: WorkerOp, timeoutMs: number): Promise<WorkerAnswer[]>;
}): Coordinator {
  const metrics = createClusterMetrics();
  const scrape = async (): Promise<string> => {
    const n = metrics.begin();
    // A worker that exits meanwhile answers no_answer at once (worker-supervisor.ts): no waiting on the dead.
    const answers = await o.broadcast('metrics', WORKER_SCRAPE_MS);
    const fresh = new Set<number>();
    const missing: { worker: number; pid: number; why: string }[] = [];
    for (const a of answers) {
      if (a.outcome === 'answered' && Array.isArray(a.result) && metrics.seen(a.worker, n, a.result as WorkerSeries)) fresh.add(a.worker);
      else missing.push({ worker: a.worker, pid: a.pid, why: metrics.retired(a.worker) ? 'exited' : a.outcome === 'failed' ? a.error : `no answer within ${WORKER_SCRAPE_MS} ms` });
    }
    if (missing.length > 0) o.logger.warn({ kind: 'metrics', missing }, 'scrape without some workers\' current series; their last counters are kept');
    return metrics.render(fresh);
  };
  // One at a time, as in a worker: two broadcasts interleaving could leave workers on different files.
  let last: Promise<unknown> = Promise.resolve();
  const reloadOnce = async (): Promise<FleetReload> => {
    try {
      loadConfig(o.configFile, o.env);
    } catch (err) {
      const errors = err instanceof ConfigError ? err.issues.map(formatIssue) : [String(err)];
      o.logger.error({ kind: 'reload', errors }, 'config rejected; every worker keeps the running config');
      // The metrics live in the workers: gateway_config_last_reload_successful must show it there.
      await o.broadcast('reload-refused', WORKER_NOTE_MS);
      return { kind: 'refused', errors, workers: [] };
    }
    const result = combineReloads(await o.broadcast('reload', WORKER_RELOAD_MS));
    const outcomes = result.workers.map((w) => ({ worker: w.worker, pid: w.pid, outcome: w.outcome }));
    if (result.kind === 'applied') o.logger.info({ kind: 'reload', workers: outcomes }, 'every worker reloaded');
    else o.logger.error({ kind: 'reload', result: result.kind, workers: outcomes }, result.kind === 'refused' ? 'every worker refused the config; each keeps the running one' : 'reload incomplete: the workers may run different configs');
    return result;
  };
  const reload = (): Promise<FleetReload> => {
    const next = last.then(reloadOnce, reloadOnce);
    last = next;
    return next;
  };
  return {
    reload,
    workerExited: (worker) => metrics.retire(worker),
    async ask(op) {
      switch (op) {
        case 'reload':
          return reload();
        case 'metrics':
          return scrape();
        case 'acme-renew':
          return workerRenews(await o.broadcast('acme-renew', WORKER_RENEW_MS));
      }
    },
  };
}
