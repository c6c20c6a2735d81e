/**
 * Shared state for revocations, rate-limit counters and cache entries. Redis when several
 * instances share it, memory for a single one; both pass the same test suite
 * (test/integration/store.test.ts). A failing store throws StoreUnavailableError quickly: the
 * caller decides to fail open or closed.
 */
export interface Store {
  readonly kind: 'memory' | 'redis';
  /** Prefix of every key this store writes; other writers (rate limiter) put theirs under it. */
  readonly keyPrefix: string;
  /** The ioredis client, only for rate-limiter-flexible's atomic scripts (ratelimit/ owns that use). */
  readonly redisClient?: unknown;
  get(key: string): Promise<Buffer | null>;
  /** One round trip. On Redis Cluster the keys must share a hash tag (`{user}`). */
  getMany(keys: readonly string[]): Promise<(Buffer | null)[]>;
  /** ttlMs: the entry disappears after this long; omitted, it stays until deleted. */
  set(key: string, value: Buffer | string, ttlMs?: number): Promise<void>;
  /** Sets only when absent; true when this call set it. */
  setIfAbsent(key: string, value: Buffer | string, ttlMs: number): Promise<boolean>;
  delete(...keys: string[]): Promise<number>;
  exists(key: string): Promise<boolean>;
  /** Remaining life in ms; -1 without expiry, -2 when absent (Redis PTTL semantics). */
  ttl(key: string): Promise<number>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export class StoreUnavailableError extends Error {
  readonly code = 'store.unavailable';
  constructor(cause: unknown) {
    super('store unavailable', { cause });
    this.name = 'StoreUnavailableError';
  }
}
