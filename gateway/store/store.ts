import type { CacheBackend, CacheBackendOptions } from './cache-backend.js';

/**
 * Shared state for revocations, rate-limit counters and cache entries. Redis when several
 * instances share it, memory for a single one; both pass the same test suite
 * (test/integration/store.test.ts). A failing store throws StoreUnavailableError quickly: the
 * caller decides to fail open or closed.
 */
export interface Store {
  /** What backs this store, for the startup log line ("memory", "redis"). */
  describe(): string;
  /**
   * A counter budget kept where this store keeps its state: on Redis one atomic script per
   * charge, with per-instance memory insurance while Redis is down; in memory for one instance.
   */
  createLimiterBackend(o: LimiterBackendOptions): LimiterBackend;
  /** The response cache's entries, tags and locks; one per store (the memory one keeps the first bound it is given). */
  cacheBackend(o: CacheBackendOptions): CacheBackend;
  get(key: string): Promise<Buffer | null>;
  /** One round trip; on Redis Cluster only when the keys share a hash tag (`{user}`), else one per key, in parallel. */
  getMany(keys: readonly string[]): Promise<(Buffer | null)[]>;
  /** ttlMs: the entry disappears after this long; omitted, it stays until deleted. */
  set(key: string, value: Buffer | string, ttlMs?: number): Promise<void>;
  /** Sets only when absent; true when this call set it. */
  setIfAbsent(key: string, value: Buffer | string, ttlMs: number): Promise<boolean>;
  delete(...keys: string[]): Promise<number>;
  exists(key: string): Promise<boolean>;
  /** Remaining life in ms; -1 without expiry, -2 when absent (Redis PTTL semantics). */
  ttl(key: string): Promise<number>;
  /** Every field of a hash (HGETALL); empty when the key is absent. */
  hashGetAll(key: string): Promise<Map<string, Buffer>>;
  /** One field of a hash (HGET); null when absent. */
  hashGet(key: string, field: string): Promise<Buffer | null>;
  /**
   * The writes applied all or none, none seen half done (MULTI/EXEC), each one's integer reply in
   * order: hset 1 when the field is new (0 when `ifAbsent` left it alone, or it was replaced),
   * hdel 1 when it was there, incr the new value. On Redis Cluster every key must share one hash
   * tag (`auth:{dir}:...`): a transaction never spans slots.
   */
  multi(writes: readonly StoreWrite[]): Promise<number[]>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export type StoreWrite =
  | { readonly op: 'hset'; readonly key: string; readonly field: string; readonly value: string; readonly ifAbsent?: boolean }
  | { readonly op: 'hdel'; readonly key: string; readonly field: string }
  | { readonly op: 'incr'; readonly key: string };

export interface LimiterBackendOptions {
  /** Unique per budget: it names the keys, so two limiters with one name share counters. */
  name: string;
  points: number;
  durationMs: number;
  /** Once the points are spent, refuse for this long (0: until the window ends). */
  blockMs?: number;
}

/** A budget's window for one key. `consumed` may pass `points` while refused. */
export interface LimiterWindow {
  consumed: number;
  remaining: number;
  msBeforeNext: number;
}

export interface LimiterBackend {
  /** Charges `points` to `key`; `refused` when that goes over the budget. */
  consume(key: string, points: number): Promise<LimiterWindow & { refused: boolean }>;
  /** The window without charging; consumed 0 when none is open. */
  peek(key: string): Promise<LimiterWindow>;
  reset(key: string): Promise<void>;
}

export class StoreUnavailableError extends Error {
  readonly code = 'store.unavailable';
  constructor(cause: unknown) {
    super('store unavailable', { cause });
    this.name = 'StoreUnavailableError';
  }
}

/**
 * Unavailable because Redis refused the gateway's credentials, not because it is away: the
 * same outage answers, but the CLI and the log can say what to fix. `hint` names the config
 * field to check, never its value.
 */
export class StoreAuthRefusedError extends StoreUnavailableError {
  constructor(readonly hint: string, cause: unknown) {
    super(cause);
    this.name = 'StoreAuthRefusedError';
  }
}
