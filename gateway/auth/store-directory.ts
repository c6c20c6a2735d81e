import type { z } from 'zod';
import { StoreUnavailableError, type Store } from '../store/store.js';
import { apiKeyRecordSchema, type ApiKeyRecord } from './api-keys.js';
import { userRecordSchema, type UserRecord } from './users-file.js';

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
  close(): void;
}

export interface StoreDirectoryFeedOptions {
  users: boolean;
  keys: boolean;
  /** onStoreError: allow: past the stale bound, keep answering from the last snapshot (never without one). */
  useStale: boolean;
  now: () => number;
  /** A poll failed after one that worked, a record was rejected, or polls work again. */
  report(event: 'failing' | 'recovered' | 'bad-record', detail: string): void;
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

  const load = async (): Promise<void> => {
    const seen = (await store.get(DIRECTORY_KEYS.version))?.toString() ?? '0';
    if (seen !== version || o.now() - loadedAt >= FULL_RELOAD_MS) {
      // Read after the version: a change landing in between is loaded now and seen again next poll.
      const [users, keys] = await Promise.all([
        o.users ? store.hashGetAll(DIRECTORY_KEYS.users) : new Map<string, Buffer>(),
        o.keys ? store.hashGetAll(DIRECTORY_KEYS.keys) : new Map<string, Buffer>(),
      ]);
      snapshot = {
        users: parseRecords(users, userRecordSchema, (r) => r.username, o.report),
        keys: parseRecords(keys, apiKeyRecordSchema, (r) => r.id, o.report),
      };
      version = seen;
      loadedAt = o.now();
    }
    lastOk = o.now();
  };
  const poll = async (): Promise<void> => {
    try {
      await load();
      if (failing) o.report('recovered', 'store directory polls work again');
      failing = false;
    } catch (err) {
      if (!failing) o.report('failing', err instanceof StoreUnavailableError ? 'store unavailable' : (err as Error).message);
      failing = true;
    }
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
    close() {
      closed = true;
      clearTimeout(timer);
    },
  };
}

/** Records that do not parse are left out and reported by field name only (a hash may sit beside the value). */
function parseRecords<T>(raw: Map<string, Buffer>, schema: z.ZodType<T>, idOf: (r: T) => string, report: StoreDirectoryFeedOptions['report']): Map<string, T> {
  const out = new Map<string, T>();
  for (const [field, value] of raw) {
    let parsed: z.ZodSafeParseResult<T>;
    try {
      parsed = schema.safeParse(JSON.parse(value.toString()));
    } catch {
      parsed = { success: false } as z.ZodSafeParseResult<T>;
    }
    if (parsed.success && idOf(parsed.data) === field) out.set(field, parsed.data);
    else report('bad-record', `store directory record "${field}" is not valid; left out`);
  }
  return out;
}
