import type { Store } from '../store/store.js';

/**
 * A limiter over the store's counter backend (store/limiter-backend.ts): on Redis shared by
 * every instance, with in-memory insurance while Redis is down; without Redis, in memory.
 */
export type Decision = { allowed: true; remaining: number; resetMs: number } | { allowed: false; retryAfterMs: number };

export interface Limiter {
  readonly points: number;
  consume(key: string, points?: number): Promise<Decision>;
  /** Points used in the current window, without consuming; 0 when none. */
  used(key: string): Promise<{ consumed: number; resetMs: number }>;
  reset(key: string): Promise<void>;
}

export interface LimiterOptions {
  name: string;
  points: number;
  durationMs: number;
  blockMs?: number;
}

export function createLimiter(store: Store, o: LimiterOptions): Limiter {
  const backend = store.createLimiterBackend(o);
  return {
    points: o.points,
    async consume(key, points = 1) {
      const w = await backend.consume(key, points);
      // Retry-After has one-second resolution: never tell a client to come back in 0 s.
      return w.refused ? { allowed: false, retryAfterMs: Math.max(1000, w.msBeforeNext) } : { allowed: true, remaining: w.remaining, resetMs: w.msBeforeNext };
    },
    async used(key) {
      const w = await backend.peek(key);
      return { consumed: w.consumed, resetMs: w.msBeforeNext };
    },
    reset: (key) => backend.reset(key),
  };
}
