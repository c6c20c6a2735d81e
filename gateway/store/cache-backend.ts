/**
 * Where the response cache keeps entries, tag generations and fill locks. Entries are opaque
 * bytes (cache/cache-entry.ts encodes them); a tag's generation is a random string replaced on
 * every invalidation, so an entry is valid while the generations it was stored with are current.
 */
export interface CacheBackend {
  /** One round trip: the entry and the current generation of each tag (null: never bumped). */
  lookup(entryKey: string, tagKeys: readonly string[]): Promise<{ entry: Buffer | null; generations: (string | null)[] }>;
  put(entryKey: string, value: Buffer, ttlMs: number): Promise<void>;
  /** Gives each tag a new generation, kept `ttlMs` (longer than any entry lives). */
  bump(tagKeys: readonly string[], ttlMs: number): Promise<void>;
  /** A short lease so one instance fills a missing entry while the others wait for it. */
  lock(lockKey: string, ttlMs: number): Promise<boolean>;
  unlock(lockKey: string): Promise<void>;
  /** Entries whose keys start with `prefix`: count and bytes; null when there are too many to count. */
  measure(prefix: string): Promise<{ entries: number; bytes: number } | null>;
  /** Deletes entries whose key matches `pattern` (`*` wildcards only); returns how many. */
  deleteMatching(pattern: string): Promise<number>;
}

export interface CacheBackendOptions {
  /** The memory store's bound in bytes (Redis is bounded by TTLs and its own maxmemory). */
  maxMemoryBytes: number;
}

/** `*` glob to a RegExp, for the memory store (Redis MATCH has the same meaning for `*`). */
export function globToRegExp(pattern: string): RegExp {
  return new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 's');
}
