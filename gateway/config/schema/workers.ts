import { availableParallelism } from 'node:os';
import { z } from 'zod';
import type { PathIssue } from './path-issue.js';
import type { StoreConfig } from './store.js';

/**
 * How many processes serve the listeners (Node's cluster module shares the ports): a number, or
 * `auto` for one per core. 1 (the default) never forks.
 */
export const workersSchema = z.union([
  z.number({ error: 'expected a whole number of processes (1 or more) or "auto"' }).int('expected a whole number of processes').min(1, 'expected 1 or more processes'),
  z.literal('auto'),
], { error: 'expected a whole number of processes (1 or more) or "auto"' }).default(1);

/** `auto` resolved on this machine. */
export function workerCount(workers: number | 'auto'): number {
  return workers === 'auto' ? availableParallelism() : workers;
}

/**
 * Each worker has its own memory: with the embedded store, revocations, rate limits, the cache
 * and ACME locks would silently differ by which worker a connection reaches. Only a shared store
 * (Redis) makes several processes one gateway.
 */
export function checkWorkers(workers: number | 'auto', store: StoreConfig): PathIssue[] {
  if (workerCount(workers) <= 1 || store.redis !== undefined) return [];
  return [{ path: ['workers'], message: `workers: ${String(workers)} needs a shared store (store.redis): each worker would keep its own rate limits, revocations and cache in memory` }];
}
