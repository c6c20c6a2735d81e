/**
 * Shared state for revocations, rate-limit counters and cache entries. Redis when several
 * instances share it, memory for a single one; both pass the same test suite
 * (test/integration/store.test.ts). A failing store throws StoreUnavailableError quickly: the
 * caller decides to fail open or closed.
 */
export interface Store {
  readonly kind: 'memory' | 'redis';
  get(key: string): Promise<Buffer | null>;
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
