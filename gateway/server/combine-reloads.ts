import type { ReloadResult } from './reload-runtime.js';
import type { WorkerAnswer } from './worker-supervisor.js';

/** What a reload changed (ReloadResult without its `ok`). */
export type ReloadDiff = Omit<Extract<ReloadResult, { ok: true }>, 'ok'>;

/** One worker's part of a reload under `workers`, as POST /admin/reload lists it. */
export type WorkerReload = { readonly worker: number; readonly pid: number } & (
  | { readonly outcome: 'applied'; readonly reloaded: ReloadDiff }
  | { readonly outcome: 'refused'; readonly errors: readonly string[] }
  | { readonly outcome: 'no_answer' }
);

/**
 * A reload of every worker: applied by all (their diff, which is the same file's), refused by
 * all (the primary's check first: then `workers` is empty, no worker was asked), or
 * incomplete: some applied and some did not, or none was listening to be asked.
 */
export type FleetReload =
  | { readonly kind: 'applied'; readonly reloaded: ReloadDiff; readonly workers: readonly WorkerReload[] }
  | { readonly kind: 'refused'; readonly errors: readonly string[]; readonly workers: readonly WorkerReload[] }
  | { readonly kind: 'incomplete'; readonly workers: readonly WorkerReload[] };

/** The workers' answers to a broadcast reload, as one result. Pure; table-tested. */
export function combineReloads(answers: readonly WorkerAnswer[]): FleetReload {
  const workers = answers.map(workerReload).sort((a, b) => a.worker - b.worker);
  const applied = workers.filter((w) => w.outcome === 'applied');
  const refused = workers.filter((w) => w.outcome === 'refused');
  if (workers.length > 0 && applied.length === workers.length) return { kind: 'applied', reloaded: applied[0]!.reloaded, workers };
  // Every worker kept its config for a reason it gave: as one process refusing it.
  if (workers.length > 0 && refused.length === workers.length) return { kind: 'refused', errors: [...new Set(refused.flatMap((w) => w.errors))], workers };
  return { kind: 'incomplete', workers };
}

function workerReload(a: WorkerAnswer): WorkerReload {
  const who = { worker: a.worker, pid: a.pid };
  switch (a.outcome) {
    case 'no_answer':
      return { ...who, outcome: 'no_answer' };
    case 'failed':
      return { ...who, outcome: 'refused', errors: [a.error] };
    case 'answered': {
      const r = a.result as ReloadResult;
      if (r.ok) {
        const { ok: _ok, ...reloaded } = r;
        return { ...who, outcome: 'applied', reloaded };
      }
      return { ...who, outcome: 'refused', errors: r.errors };
    }
  }
}
