import { randomUUID } from 'node:crypto';
import { StoreUnavailableError, type Store } from '../store/store.js';
import { decodeRecord, encodeRecord, type IdempotencyRecord } from './idempotency-record.js';

/** This request may go to the backend (its claim is `owner`), or an earlier one holds the key. */
export type Claim = { kind: 'claimed'; owner: string } | { kind: 'found'; record: IdempotencyRecord };

/**
 * The keys' records in the shared store: one atomic SET NX per claim, so of any number of
 * requests with one key, on any number of instances, exactly one is claimed. Store failures are
 * thrown (StoreUnavailableError); the stage decides what they mean.
 */
export interface IdempotencyLedger {
  /** The lease bounds how long a claim blocks the key if its instance dies before answering. */
  claim(key: string, fingerprint: string, leaseMs: number): Promise<Claim>;
  /** The answer a repeat gets, kept for the window from now. */
  complete(key: string, record: IdempotencyRecord, windowMs: number): Promise<void>;
  /** Frees the key for a retry, unless the claim is no longer this one (its lease ran out and another took it). */
  release(key: string, owner: string): Promise<void>;
}

export function createIdempotencyLedger(store: Store): IdempotencyLedger {
  const read = async (key: string): Promise<IdempotencyRecord | null> => {
    const raw = await store.get(key);
    if (raw === null) return null;
    const record = decodeRecord(raw);
    // Not ours to overwrite or to ignore: treated as the store failing, so the stance applies.
    if (record === null) throw new StoreUnavailableError(new Error('unreadable idempotency record'));
    return record;
  };
  return {
    async claim(key, fingerprint, leaseMs) {
      const owner = randomUUID();
      const value = encodeRecord({ state: 'in-flight', fingerprint, owner });
      // A record may end between the failed SET NX and the GET (released, expired): try again, a few times.
      for (let attempt = 0; attempt < 3; attempt++) {
        if (await store.setIfAbsent(key, value, leaseMs)) return { kind: 'claimed', owner };
        const record = await read(key);
        if (record !== null) return { kind: 'found', record };
      }
      return { kind: 'found', record: { state: 'in-flight', fingerprint, owner: '' } };
    },
    async complete(key, record, windowMs) {
      await store.set(key, encodeRecord(record), windowMs);
    },
    async release(key, owner) {
      // GET then DEL is not atomic: a claim taken in between (only after this one's lease ran out)
      // would be freed too. The Store has no compare-and-delete; the window is one round trip.
      const record = await read(key);
      if (record?.state === 'in-flight' && record.owner === owner) await store.delete(key);
    },
  };
}
