import type { z } from 'zod';
import { StoreUnavailableError, type Store } from '../store/store.js';
import { apiKeyRecordSchema, type ApiKeyRecord } from './api-keys.js';
import { userRecordSchema, type UserRecord } from './users-file.js';

/** The one field of DIRECTORY_KEYS.keySecret; named for its algorithm, so another can come beside it. */
export const KEY_SECRET_FIELD = 'hmac-sha256';

/**
 * Users and API keys kept in the shared store (`source: store`), for several instances without a
 * shared volume. Every key carries the one hash tag `{dir}`, so a change and its version bump are
 * one MULTI even on Redis Cluster. The records are those of the files, as JSON: argon2id hashes
 * and key HMACs, never a password or a key.
 */
export const DIRECTORY_KEYS = {
  /** HASH username → UserRecord JSON. */
  users: 'auth:{dir}:users',
  /** HASH key id → ApiKeyRecord JSON. */
  keys: 'auth:{dir}:keys',
  /** INCR in the same MULTI as every change: what instances poll. */
  version: 'auth:{dir}:version',
  /** HASH with one field, KEY_SECRET_FIELD: which secret the keys were made with (key-secret-fingerprint.ts). */
  keySecret: 'auth:{dir}:keysecret',
} as const;

/** A poll every 250 ms: a revoked key or removed user is refused everywhere within about that. */
export const DIRECTORY_POLL_MS = 250;
/**
 * With no successful poll for this long, the snapshot is not trusted (auth.onStoreError decides):
 * a key revoked during a Redis outage must not keep working for the outage's length.
 */
export const DIRECTORY_STALE_AFTER_MS = 2000;
/** Reloaded in full this often even when the version says nothing changed (a flushed store restarts its count). */
const FULL_RELOAD_MS = 30_000;

export interface StoreDirectoryFeed {
  /** The users snapshot; throws StoreUnavailableError when there is none, or it is stale and stale ones are not used. */
  users(): ReadonlyMap<string, UserRecord>;
  /** The API keys snapshot by key id; throws as users() does. */
  keys(): ReadonlyMap<string, ApiKeyRecord>;
  /** One poll now, besides the timer's (a fixed clock in tests has no other way to see a change). */
  refresh(): Promise<void>;
  close(): void;
}

export interface StoreDirectoryFeedOptions {
  users: boolean;
  keys: boolean;
  /** onStoreError: allow: past the stale bound, keep answering from the last snapshot (never without one). */
  useStale: boolean;
  now: () => number;
  /**
   * The fingerprint of this instance's auth.apiKeys.secret (key-secret-fingerprint.ts); with it,
   * a store whose keys were made with another secret is reported ('key-secret-mismatch').
   */
  keySecretFingerprint?: string;
  /**
   * A poll failed after one that worked, a record was rejected, the store's keys were made with
   * another secret, or polls work again. Rejections and the mismatch are reported once per
   * change, not on every reload of an unchanged store.
   */
  report(event: 'failing' | 'recovered' | 'bad-record' | 'key-secret-mismatch', detail: string): void;
  pollMs?: number;
  staleAfterMs?: number;
}

interface Snapshot {
  users: Map<string, UserRecord>;
  keys: Map<string, ApiKeyRecord>;
}

/** Resolves after the first load was tried (a runtime is built complete); a failed one leaves no snapshot and keeps polling. */
export async function startStoreDirectoryFeed(store: Store, o: StoreDirectoryFeedOptions): Promise<StoreDirectoryFeed> {
  const pollMs = o.pollMs ?? DIRECTORY_POLL_MS;
  const staleAfterMs = o.staleAfterMs ?? DIRECTORY_STALE_AFTER_MS;
  let snapshot: Snapshot | null = null;
  let version: string | null = null;
  let loadedAt = 0;
  let lastOk = 0;
  let failing = false;
  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  // What was last reported, so an unchanged store is not reported again (per field: its raw value).
  const reported = new Map<string, string>();
  let reportedFingerprint: string | null = null;
  const reportOnce = (id: string, raw: string | null, event: 'bad-record', detail: string) => {
    if (raw === null) reported.delete(id);
    else if (reported.get(id) !== raw) {
      reported.set(id, raw);
      o.report(event, detail);
    }
  };

  const load = async (): Promise<void> => {
    const seen = (await store.get(DIRECTORY_KEYS.version))?.toString() ?? '0';
    if (seen !== version || o.now() - loadedAt >= FULL_RELOAD_MS) {
      // Read after the version: a change landing in between is loaded now and seen again next poll.
      const none = new Map<string, Buffer>();
      const checkSecret = o.keys && o.keySecretFingerprint !== undefined;
      const [users, keys, keySecret] = await Promise.all([
        o.users ? store.hashGetAll(DIRECTORY_KEYS.users) : none,
        o.keys ? store.hashGetAll(DIRECTORY_KEYS.keys) : none,
        checkSecret ? store.hashGetAll(DIRECTORY_KEYS.keySecret) : none,
      ]);
      snapshot = {
        users: parseRecords(users, userRecordSchema, (r) => r.username, (field, raw, d) => reportOnce(`users:${field}`, raw, 'bad-record', d)),
        keys: parseRecords(keys, apiKeyRecordSchema, (r) => r.id, (field, raw, d) => reportOnce(`keys:${field}`, raw, 'bad-record', d)),
      };
      // A field gone from the store is forgotten: should it come back bad, it is reported again.
      for (const id of reported.keys()) {
        const [hash, field] = [id.slice(0, id.indexOf(':')), id.slice(id.indexOf(':') + 1)];
        if (!(hash === 'users' ? users : keys).has(field)) reported.delete(id);
      }
      if (checkSecret) {
        const stored = keySecret.get(KEY_SECRET_FIELD)?.toString() ?? null;
        if (stored !== null && stored !== o.keySecretFingerprint && stored !== reportedFingerprint) {
          o.report('key-secret-mismatch', `auth.apiKeys.secret is not the secret the store's API keys were made with (the fingerprint in ${DIRECTORY_KEYS.keySecret} differs): every API key from the store is refused with 401 here; give every instance and the CLI the same secret`);
        }
        reportedFingerprint = stored;
      }
      version = seen;
      loadedAt = o.now();
    }
    lastOk = o.now();
  };
  const pollOnce = async (): Promise<void> => {
    try {
      await load();
      if (failing) o.report('recovered', 'store directory polls work again');
      failing = false;
    } catch (err) {
      if (!failing) o.report('failing', err instanceof StoreUnavailableError ? 'store unavailable' : (err as Error).message);
      failing = true;
    }
  };
  const poll = async (): Promise<void> => {
    await pollOnce();
    if (!closed) {
      timer = setTimeout(() => void poll(), pollMs);
      timer.unref();
    }
  };
  await poll();

  const current = (): Snapshot => {
    if (snapshot === null) throw new StoreUnavailableError(new Error('no directory snapshot loaded yet'));
    if (!o.useStale && o.now() - lastOk > staleAfterMs) throw new StoreUnavailableError(new Error('directory snapshot is stale'));
    return snapshot;
  };
  return {
    users: () => current().users,
    keys: () => current().keys,
    refresh: pollOnce,
    close() {
      closed = true;
      clearTimeout(timer);
    },
  };
}

/**
 * Records that do not parse are left out and reported by field name only (a hash may sit beside
 * the value); `seen` hears of every field, with its raw value when it was left out, else null.
 */
function parseRecords<T>(raw: Map<string, Buffer>, schema: z.ZodType<T>, idOf: (r: T) => string, seen: (field: string, raw: string | null, detail: string) => void): Map<string, T> {
  const out = new Map<string, T>();
  for (const [field, value] of raw) {
    let parsed: z.ZodSafeParseResult<T>;
    try {
      parsed = schema.safeParse(JSON.parse(value.toString()));
    } catch {
      parsed = { success: false } as z.ZodSafeParseResult<T>;
    }
    if (parsed.success && idOf(parsed.data) === field) {
      out.set(field, parsed.data);
      seen(field, null, '');
    } else {
      seen(field, value.toString(), `store directory record "${field}" is not valid; left out`);
    }
  }
  return out;
}
