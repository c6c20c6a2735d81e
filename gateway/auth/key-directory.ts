import { watchParsedFile } from '../files/watched-file.js';
import { checkApiKey, readKeysFile, type KeyCheck } from './api-keys.js';
import type { StoreDirectoryFeed } from './store-directory.js';

/** The API keys file, kept current as `gateway keys` rewrites it (a revoked key stops at the next poll), or the store's directory. */
export interface KeyDirectory {
  /** The key's record when it is known, matches its HMAC and has not expired. Throws StoreUnavailableError when the store directory has no current snapshot. */
  check(key: string): KeyCheck;
  close(): void;
}

export function createKeyDirectory(file: string, secret: string, onError: (err: Error) => void, now: () => number = Date.now): KeyDirectory {
  const watched = watchParsedFile(file, (f) => new Map(readKeysFile(f).map((k) => [k.id, k])), onError);
  return {
    check: (key) => checkApiKey(key, secret, watched.current(), now()),
    close: () => watched.close(),
  };
}

/** `source: store`: a Map lookup in the feed's snapshot, no store round trip per request. The feed is closed by its owner. */
export function createStoreKeyDirectory(feed: StoreDirectoryFeed, secret: string, now: () => number = Date.now): KeyDirectory {
  return {
    check: (key) => checkApiKey(key, secret, feed.keys(), now()),
    close: () => {},
  };
}
