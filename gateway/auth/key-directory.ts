import { watchParsedFile } from '../files/watched-file.js';
import { checkApiKey, readKeysFile, type ApiKeyRecord, type KeyCheck } from './api-keys.js';

/** The API keys file, kept current as `gateway keys` rewrites it: a revoked key stops at the next poll. */
export interface KeyDirectory {
  check(key: string): KeyCheck;
  find(name: string): ApiKeyRecord | undefined;
  close(): void;
}

export function createKeyDirectory(file: string, secret: string, onError: (err: Error) => void, now: () => number = Date.now): KeyDirectory {
  const watched = watchParsedFile(file, (f) => new Map(readKeysFile(f).map((k) => [k.id, k])), onError);
  return {
    check: (key) => checkApiKey(key, secret, watched.current(), now()),
    find: (name) => [...watched.current().values()].find((k) => k.name === name),
    close: () => watched.close(),
  };
}
