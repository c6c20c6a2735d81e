export interface CacheAdmin {
  /** Invalidates every entry carrying one of `tags` (on every instance). Returns how many tags were bumped. */
  purgeTags(tags: readonly string[]): Promise<number>;
  /** Invalidates the entries for this normalized path (all query strings, all principals; or only `principal`'s). */
  purgePath(path: string, principal?: { id: string; method: 'jwt' | 'apiKey' }): Promise<number>;
  /** Invalidates everything this gateway's cache stored. */
  purgeAll(): Promise<void>;
  /** Per cached route: entries and bytes stored (shared), and this instance's counters. */
  stats(): Promise<readonly RouteCacheStats[]>;
}
export interface RouteCacheStats { route: string; entries: number | null; bytes: number | null; hits: number; misses: number; stale: number; bypass: number; hitRatio: number | null }
