import { createHash, randomUUID } from 'node:crypto';
import type { Store } from '../store/store.js';
import type { CertPair } from './self-signed-cert.js';

/**
 * What instances on one store share for one certificate (one directory and set of domains):
 * the order lock, the issued pair and the count of failures in a row. Keys under
 * `acme:{ID}:` with a hash tag, so a Redis Cluster keeps them on one node.
 */
export interface AcmeSharedState {
  /** SET NX: true when this instance now holds the order lock, for `ttlMs` (also when it held it already). */
  tryLock(ttlMs: number): Promise<boolean>;
  /** Keeps the lock this instance holds for another `ttlMs` (a failure's wait). */
  holdLock(ttlMs: number): Promise<void>;
  /** Whether anyone (this instance too) holds the order lock now: ordering, or waiting out a failure. */
  lockHeld(): Promise<boolean>;
  /** Lets go of the lock if this instance still holds it. */
  unlock(): Promise<void>;
  readPair(): Promise<CertPair | null>;
  /** Kept until `ttlMs` (the certificate's expiry): an expired pair is nobody's to take. */
  writePair(pair: CertPair, ttlMs: number): Promise<void>;
  failures(): Promise<number>;
  setFailures(n: number): Promise<void>;
}

export function createAcmeSharedState(store: Store, directory: string, domains: readonly string[]): AcmeSharedState {
  const id = createHash('sha256').update(`${directory}\n${[...domains].sort().join(',')}`).digest('hex').slice(0, 16);
  const lockKey = `acme:{${id}}:lock`;
  const pairKey = `acme:{${id}}:pair`;
  const failuresKey = `acme:{${id}}:failures`;
  const owner = randomUUID();
  return {
    async tryLock(ttlMs) {
      if (await store.setIfAbsent(lockKey, owner, ttlMs)) return true;
      // Still ours from a failure's wait that has not quite run out on the store's clock.
      if ((await store.get(lockKey))?.toString() !== owner) return false;
      await store.set(lockKey, owner, ttlMs);
      return true;
    },
    holdLock: (ttlMs) => store.set(lockKey, owner, ttlMs),
    lockHeld: async () => (await store.get(lockKey)) !== null,
    async unlock() {
      // GET then DEL is not atomic: a lock that expired in between could be another's. Locks
      // live minutes and this runs right after the order, so that window is left open.
      if ((await store.get(lockKey))?.toString() === owner) await store.delete(lockKey);
    },
    async readPair() {
      const raw = await store.get(pairKey);
      if (!raw) return null;
      try {
        const pair = JSON.parse(raw.toString('utf8')) as Partial<CertPair>;
        return typeof pair.cert === 'string' && typeof pair.key === 'string' ? { cert: pair.cert, key: pair.key } : null;
      } catch {
        return null;
      }
    },
    writePair: (pair, ttlMs) => store.set(pairKey, JSON.stringify({ cert: pair.cert, key: pair.key }), Math.max(1, ttlMs)),
    async failures() {
      const n = Number((await store.get(failuresKey))?.toString());
      return Number.isInteger(n) && n > 0 ? n : 0;
    },
    // A day without an attempt starts the count again.
    setFailures: (n) => (n === 0 ? store.delete(failuresKey).then(() => {}) : store.set(failuresKey, String(n), 86_400_000)),
  };
}
