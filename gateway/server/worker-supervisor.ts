import cluster, { type Worker } from 'node:cluster';
import type { Logger } from '../observability/logger.js';

/** What a worker sends the primary once its gateway listens. */
export const WORKER_READY = 'gateway:worker-ready';

export interface WorkerSupervisor {
  /** Resolves once every worker has started listening the first time. */
  readonly ready: Promise<void>;
  /** SIGHUP to every worker: each reloads the config file on its own. */
  reload(): void;
  /** SIGTERM to every worker; resolves with 0 when all drained and exited cleanly, else 1. */
  shutdown(): Promise<number>;
}

const BACKOFF_MIN_MS = 100;
const BACKOFF_MAX_MS = 5_000;
/** A worker that lived this long was healthy: the next crash starts the backoff over. */
const HEALTHY_AFTER_MS = 10_000;

/**
 * The cluster primary: forks `count` workers running the same `serve` (cluster shares the
 * listening ports between them), forwards reload and shutdown, and replaces a worker that died
 * while no shutdown was asked, waiting longer after each quick crash so a worker that cannot
 * start does not spin.
 */
export function superviseWorkers(count: number, logger: Logger): WorkerSupervisor {
  const bornAt = new Map<number, number>();
  let stopping = false;
  let failed = false;
  let backoff = BACKOFF_MIN_MS;
  let firstReady = 0;
  let markReady!: () => void;
  const ready = new Promise<void>((resolve) => { markReady = resolve; });
  let markStopped: (() => void) | null = null;

  const fork = (): void => {
    const worker = cluster.fork();
    bornAt.set(worker.id, Date.now());
    worker.on('message', (msg: unknown) => {
      if (msg !== WORKER_READY) return;
      if (firstReady < count) {
        firstReady += 1;
        if (firstReady === count) {
          logger.info({ workers: count, pids: liveWorkers().map((w) => w.process.pid) }, 'all workers listening');
          markReady();
        }
      } else {
        logger.info({ worker: worker.id, pid: worker.process.pid }, 'replacement worker listening');
      }
    });
  };

  cluster.on('exit', (worker: Worker, code: number | null, signal: string | null) => {
    if (code !== 0) failed = true;
    if (stopping) {
      if (liveWorkers().length === 0) markStopped?.();
      return;
    }
    const lived = Date.now() - (bornAt.get(worker.id) ?? 0);
    bornAt.delete(worker.id);
    if (lived >= HEALTHY_AFTER_MS) backoff = BACKOFF_MIN_MS;
    const delayMs = backoff;
    backoff = Math.min(BACKOFF_MAX_MS, backoff * 2);
    logger.error({ worker: worker.id, pid: worker.process.pid, code, signal, restartInMs: delayMs }, 'worker died; restarting it');
    setTimeout(() => { if (!stopping) fork(); }, delayMs);
  });

  for (let i = 0; i < count; i++) fork();

  return {
    ready,
    reload() {
      for (const w of liveWorkers()) w.process.kill('SIGHUP');
    },
    shutdown() {
      stopping = true;
      failed = false;
      const stopped = new Promise<void>((resolve) => { markStopped = resolve; });
      const live = liveWorkers();
      if (live.length === 0) return Promise.resolve(0);
      for (const w of live) w.process.kill('SIGTERM');
      return stopped.then(() => (failed ? 1 : 0));
    },
  };
}

function liveWorkers(): Worker[] {
  return Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined && !w.isDead());
}
