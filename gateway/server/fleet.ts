import type { RenewStart } from '../tls/cert-store.js';
import type { FleetReload } from './combine-reloads.js';
import type { PrimaryLink } from './primary-link.js';
import type { WorkerAnswer } from './worker-supervisor.js';

/**
 * Under `workers`: what an admin endpoint asks of every worker, through the primary. The primary
 * bounds each worker's answer (cluster-coordinator.ts); these bounds are a little longer, so the
 * primary's per-worker "no answer" arrives before the asker gives up on the primary itself.
 */
export interface Fleet {
  /** Every worker reloads the config file (after the primary checked it once). */
  reload(): Promise<FleetReload>;
  /** Every worker's series, merged with what exited workers counted (observability/cluster-metrics.ts). */
  scrape(): Promise<string>;
  /** Every worker looks at its ACME certificate now; the store's lock lets one of them order. */
  renewCertificate(): Promise<readonly WorkerRenew[]>;
}

/** One worker's part of a renewal asked for now. */
export type WorkerRenew = { readonly worker: number; readonly pid: number } & (
  | { readonly outcome: 'started'; readonly serving: Extract<RenewStart, { started: true }>['serving'] }
  /** It was looking at its certificate already: that look's result is what it serves. */
  | { readonly outcome: 'running' }
  | { readonly outcome: 'no_answer' }
  | { readonly outcome: 'failed'; readonly error: string }
);

export const WORKER_RELOAD_MS = 30_000;
export const WORKER_RENEW_MS = 5_000;
/** A worker's count of a reload the primary refused: nothing to build, only a counter. */
export const WORKER_NOTE_MS = 2_000;
/** The primary waits at most this for each worker's series; one that exits is not waited for. */
export const WORKER_SCRAPE_MS = 5_000;
const MARGIN_MS = 3_000;

export function fleetThrough(link: PrimaryLink): Fleet {
  return {
    // The primary's check, then either the reload or the refusal's count: the longer of the two.
    reload: () => link.ask('reload', WORKER_RELOAD_MS + MARGIN_MS) as Promise<FleetReload>,
    scrape: () => link.ask('metrics', WORKER_SCRAPE_MS + MARGIN_MS) as Promise<string>,
    renewCertificate: () => link.ask('acme-renew', WORKER_RENEW_MS + MARGIN_MS) as Promise<readonly WorkerRenew[]>,
  };
}

/** The workers' answers to a broadcast renewal, each as what it did. */
export function workerRenews(answers: readonly WorkerAnswer[]): WorkerRenew[] {
  return answers.map((a): WorkerRenew => {
    const who = { worker: a.worker, pid: a.pid };
    switch (a.outcome) {
      case 'no_answer':
        return { ...who, outcome: 'no_answer' };
      case 'failed':
        return { ...who, outcome: 'failed', error: a.error };
      case 'answered': {
        const r = a.result as RenewStart;
        return r.started ? { ...who, outcome: 'started', serving: r.serving } : { ...who, outcome: 'running' };
      }
    }
  }).sort((x, y) => x.worker - y.worker);
}
