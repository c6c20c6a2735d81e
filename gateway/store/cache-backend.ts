/**
 * Where the response cache keeps entries, tag generations and fill locks. Entries are opaque
 * bytes (cache/cache-entry.ts encodes them); a tag's generation is a random string replaced on
 * every invalidation, so an entry is valid while the generations it was stored with are current.
 */
export interface CacheBackend {
  /** One round trip: the entry and the current generation of each tag (null: never bumped). */
  lookup(entryKey: string, tagKeys: readonly string[]): Promise<{ entry: Buffer | null; generations: (string | null)[] }>;
  /**
   * Stores an entry unless it cannot fit: `too-large` (over the memory store's whole bound),
   * `no-room` (Redis is using more than its share of maxmemory: sessions, limits and idempotency
   * keys come first).
   */
  put(entryKey: string, value: Buffer, ttlMs: number): Promise<PutResult>;
  /** Gives each tag a new generation, kept `ttlMs` (longer than any entry lives). */
  bump(tagKeys: readonly string[], ttlMs: number): Promise<void>;
  /**
   * A lease so one instance fills a missing entry while the others wait for it: `acquired`,
   * `held` (someone fills it), or `pass` (the last fill found the answer unstorable: ask the
   * backend directly, in parallel, until the mark expires; Varnish's hit-for-pass).
   */
  lock(lockKey: string, ttlMs: number): Promise<'acquired' | 'held' | 'pass'>;
  unlock(lockKey: string): Promise<void>;
  /** Replaces the lease with a pass mark for `ttlMs`. */
  markPass(lockKey: string, ttlMs: number): Promise<void>;
  /** Drops an entry (a 304 that says no-store). */
  remove(entryKey: string): Promise<void>;
  /**
   * Entries and bytes per route, in one pass over the entries (`routeOf` names a key's route, null
   * to skip it); null when the store holds too many keys to walk (Redis: after ~200k scanned).
   */
  measure(routeOf: (key: string) => string | null): Promise<Map<string, { entries: number; bytes: number }> | null>;
  /** Deletes entries whose key matches `pattern` (`*` wildcards only); returns how many. */
  deleteMatching(pattern: string): Promise<number>;
}

export type PutResult = 'stored' | 'too-large' | 'no-room';

export interface CacheBackendOptions {
  /** The memory store's bound in bytes (Redis is bounded by TTLs and its own maxmemory). */
  maxMemoryBytes: number;
  /** On Redis: the share of maxmemory above which entries are not written. */
  redisMemoryShare: number;
}

/** `*` glob to a RegExp, for the memory store (Redis MATCH has the same meaning for `*`). */
export function globToRegExp(pattern: string): RegExp {
  return new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 's');
}
