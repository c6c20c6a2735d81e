import cluster, { type Worker } from 'node:cluster';
import type { Logger } from '../observability/logger.js';
import { isMessage, type AnswerMessage, type AskMessage, type AskOp, type DoMessage, type DoneMessage, type WorkerOp } from './cluster-messages.js';

/** What a worker sends the primary once its gateway listens. */
export const WORKER_READY = 'gateway:worker-ready';

export interface WorkerSupervisor {
  /** Resolves once every worker has started listening the first time. */
  readonly ready: Promise<void>;
  /**
   * Has every listening worker do `op` and collects each one's answer; a worker that does not
   * answer within `timeoutMs` (or dies first) is listed as such, never waited for longer.
   */
  broadcast(op: WorkerOp, timeoutMs: number): Promise<WorkerAnswer[]>;
  /** SIGTERM to every worker; resolves with 0 when all drained and exited cleanly, else 1. */
  shutdown(): Promise<number>;
}

/** One worker's answer to a broadcast: its result, the error it threw, or none in time. */
export type WorkerAnswer = { readonly worker: number; readonly pid: number } & (
  | { readonly outcome: 'answered'; readonly result: unknown }
  | { readonly outcome: 'failed'; readonly error: string }
  | { readonly outcome: 'no_answer' }
);

/** What the primary answers a worker's question with (cluster-coordinator.ts). */
export type AskHandler = (op: AskOp) => Promise<unknown>;
/** Told of every worker's exit (its cluster id), before a broadcast waiting on it resolves. */
export type ExitHandler = (worker: number) => void;

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
export function superviseWorkers(count: number, logger: Logger, onAsk: AskHandler, onExit: ExitHandler): WorkerSupervisor {
  const bornAt = new Map<number, number>();
  /** Workers that said they listen: a broadcast goes to these only (one still starting reads the file itself). */
  const listening = new Set<Worker>();
  const waiting = new Map<number, (msg: DoneMessage | null) => void>();
  let nextId = 0;
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
      if (isMessage<AskMessage>(msg, 'gateway:ask')) {
        answer(worker, msg);
        return;
      }
      if (isMessage<DoneMessage>(msg, 'gateway:done')) {
        waiting.get(msg.id)?.(msg);
        return;
      }
      if (msg !== WORKER_READY) return;
      listening.add(worker);
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

  const answer = (worker: Worker, msg: AskMessage): void => {
    onAsk(msg.op).then(
      (result) => reply(worker, { type: 'gateway:answer', id: msg.id, result }),
      (err: unknown) => reply(worker, { type: 'gateway:answer', id: msg.id, error: err instanceof Error ? err.message : String(err) }),
    );
  };

  const askOne = (worker: Worker, op: WorkerOp, timeoutMs: number): Promise<WorkerAnswer> => {
    const id = nextId++;
    const who = { worker: worker.id, pid: worker.process.pid ?? 0 };
    return new Promise<WorkerAnswer>((resolve) => {
      const settle = (msg: DoneMessage | null) => {
        clearTimeout(timer);
        worker.off('exit', gone);
        waiting.delete(id);
        if (msg === null) resolve({ ...who, outcome: 'no_answer' });
        else if (msg.error !== undefined) resolve({ ...who, outcome: 'failed', error: msg.error });
        else resolve({ ...who, outcome: 'answered', result: msg.result });
      };
      const gone = () => settle(null);
      const timer = setTimeout(gone, timeoutMs);
      waiting.set(id, settle);
      worker.once('exit', gone);
      try {
        worker.send({ type: 'gateway:do', id, op } satisfies DoMessage);
      } catch {
        settle(null);
      }
    });
  };

  cluster.on('exit', (worker: Worker, code: number | null, signal: string | null) => {
    listening.delete(worker);
    onExit(worker.id);
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
    broadcast(op, timeoutMs) {
      const targets = liveWorkers().filter((w) => listening.has(w));
      return Promise.all(targets.map((w) => askOne(w, op, timeoutMs)));
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

/** A worker that died meanwhile has no channel left: its asker times out on its own. */
function reply(worker: Worker, msg: AnswerMessage): void {
  if (worker.isConnected()) worker.send(msg);
}

function liveWorkers(): Worker[] {
  return Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined && !w.isDead());
}
